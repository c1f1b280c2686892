"""HTTP benchmark: load from a second process (wrk) on loopback against a real `urikomi serve`.

Measures requests/s and p50/p99 latency of POST /v1/analyze (a 140-character post) and GET /healthz
at concurrency 16, with one and with two workers, and prints analyze ÷ healthz throughput. The
post is a hard sell, the costliest kind (phrases, suggestions and a softened draft are built and
checked); a 140-character story post, which needs none of that, is measured beside it. With
--soak N it also sends N analyze requests and reports the servers' RSS before and after.
Then, at concurrency 64, 300 different corpus posts in turn (p50/p99 and how many got 503 from
the analysis pool's admission control), and each process's memory split into anonymous memory
(its own) and the mapped MeCab dictionary (file-backed pages the kernel shares between processes).
Needs Debian's wrk (`apt-get install wrk`). Every request goes to 127.0.0.1; every run is bounded
in time. Run: `python bench/http.py [--seconds 10] [--soak 100000]`.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named like the standard library's `http` package; when run as a script its folder
# comes first on sys.path and would shadow it for httpx. Drop the folder before other imports.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE] + [str(_HERE)]

import argparse
import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

from serving import start  # noqa: E402

POST_140 = (
    "【週末限定】焼きたてクロワッサン全品30%OFF!!今だけのチャンスです。残りわずかなので、"
    "お早めにご来店ください。先着20名様には特製ジャムをプレゼント🎁 フォロー&RTで当たる抽選も実施中です。"
    "詳しくはプロフィールのリンクから!見逃さないでくださいね。明日の朝7時から並んでお待ちしています!!"
)
STORY_140 = (
    "開店して十年、毎朝四時にパンを焼いてきました。最初の冬、売れ残ったバゲットを抱えて帰る道で、"
    "常連の佐藤さんが「明日も来るからね」と声をかけてくれたのを今も覚えています。あの一言がなければ、"
    "きっと続けられませんでした。今朝も、いつもの窓辺で焼き上がりを待ちながらこれを書いています。"
)
_LUA = """wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = {body}
"""
# one body after another from a list, so the server sees varied drafts, not one cached shape
_VARIED_LUA = """bodies = {{ {bodies} }}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("POST", "/v1/analyze", {{["Content-Type"] = "application/json"}}, bodies[(counter % #bodies) + 1])
end
"""
DICTIONARY_MARK = "unidic"  # the mapped MeCab dictionary (unidic-lite's sys.dic, matrix.bin, ...)


@dataclass
class WrkResult:
    """What wrk measured."""

    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int


def _to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(url: str, seconds: int, script: Path | None = None, connections: int = 16) -> WrkResult:
    """One bounded wrk run; parses throughput, latency percentiles and error counts."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    if script is not None:
        command += ["-s", str(script)]
    out = subprocess.run(command + [url], capture_output=True, text=True, check=True, timeout=seconds + 30).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return WrkResult(
        requests_per_s=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        p50_ms=_to_ms(re.search(r"\s50%\s+([\d.]+\w+)", out).group(1)),  # type: ignore[union-attr]
        p99_ms=_to_ms(re.search(r"\s99%\s+([\d.]+\w+)", out).group(1)),  # type: ignore[union-attr]
        requests=int(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
        non_2xx=(int(non_2xx.group(1)) if non_2xx else 0) + (sum(map(int, errors.groups())) if errors else 0),
    )


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (the uvicorn workers), in MB."""
    pids = [pid] + [int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()]
    total = 0
    for each in pids:
        status = Path(f"/proc/{each}/status")
        if status.exists():
            match = re.search(r"VmRSS:\s+(\d+) kB", status.read_text())
            total += int(match.group(1)) if match else 0
    return total / 1024


def varied_script(path: Path, count: int = 300) -> None:
    """A wrk script cycling through `count` corpus posts of every kind (every 7th post)."""
    sys.path.insert(0, str(_HERE.parent))
    from app.training.corpus import load_corpus

    posts = load_corpus(_HERE.parent / "training_data")[::7][:count]
    bodies = ", ".join("[==[" + json.dumps({"text": p.text}, ensure_ascii=False) + "]==]" for p in posts)
    path.write_text(_VARIED_LUA.format(bodies=bodies), encoding="utf-8")


def process_tree(pid: int, depth: int = 0) -> list[tuple[int, int]]:
    """A process and all its descendants (uvicorn workers, analysis processes) with their depth."""
    found = [(pid, depth)]
    for child in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split():
        found += process_tree(int(child), depth + 1)
    return found


def memory_split(pid: int) -> tuple[float, float, float]:
    """RSS, anonymous memory and the mapped dictionary's resident pages of one process, in MB."""
    rss = anonymous = dictionary = 0
    in_dictionary = False
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        fields = line.split()
        if fields and "-" in fields[0] and not fields[0].endswith(":"):  # a mapping's header line
            in_dictionary = DICTIONARY_MARK in line
        elif fields[:1] == ["Rss:"]:
            rss += int(fields[1])
            dictionary += int(fields[1]) if in_dictionary else 0
        elif fields[:1] == ["Anonymous:"]:
            anonymous += int(fields[1])
    return rss / 1024, anonymous / 1024, dictionary / 1024


def print_memory(pid: int, workers: int) -> None:
    """One line per process of the server: what it is, RSS = anonymous + dictionary + other files.
    With one worker uvicorn serves in the process it starts in; with more, that process supervises
    spawned workers, one level down. Analysis processes are the workers' spawned children."""
    server_depth = 0 if workers == 1 else 1
    for each, depth in process_tree(pid):
        try:
            command = Path(f"/proc/{each}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            rss, anonymous, dictionary = memory_split(each)
        except OSError:
            continue
        if "resource_tracker" in command:
            role = "tracker"
        else:
            role = "supervisor" if depth < server_depth else "server" if depth == server_depth else "analysis"
        print(
            f"memory pid={each} role={role}: rss={rss:.1f} MB anonymous={anonymous:.1f} MB "
            f"dictionary_mapped={dictionary:.1f} MB other_files={rss - anonymous - dictionary:.1f} MB"
        )


def main() -> int:
    """Run the matrix and print one line per configuration plus the summary line."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--soak", type=int, default=0, help="analyze requests for the RSS check (e.g. 100000)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("bench/http.py: wrk is missing (apt-get install wrk)", file=sys.stderr)
        return 2
    scripts = Path(tempfile.mkdtemp())
    script, story_script = scripts / "analyze.lua", scripts / "story.lua"
    for path, text in ((script, POST_140), (story_script, STORY_140)):
        path.write_text(_LUA.format(body=json.dumps(json.dumps({"text": text}, ensure_ascii=False), ensure_ascii=False)))
    varied = scripts / "varied.lua"
    varied_script(varied)
    summary = {}
    for workers in (1, 2):
        process, base = start(workers)
        try:
            run_wrk(f"{base}/healthz", 2)  # warm-up
            health = run_wrk(f"{base}/healthz", args.seconds)
            analyze = run_wrk(f"{base}/v1/analyze", args.seconds, script)
            story = run_wrk(f"{base}/v1/analyze", args.seconds, story_script)
            ratio = analyze.requests_per_s / health.requests_per_s
            print(
                f"workers={workers} healthz: {health.requests_per_s:.0f} req/s p50={health.p50_ms:.2f}ms "
                f"p99={health.p99_ms:.2f}ms | analyze (hard sell): {analyze.requests_per_s:.0f} req/s p50={analyze.p50_ms:.2f}ms "
                f"p99={analyze.p99_ms:.2f}ms non2xx={analyze.non_2xx + health.non_2xx + story.non_2xx} | analyze/healthz={ratio:.2f}"
                f" | analyze (story): {story.requests_per_s:.0f} req/s p99={story.p99_ms:.2f}ms"
                f" story/healthz={story.requests_per_s / health.requests_per_s:.2f}"
            )
            summary[workers] = (ratio, analyze)
            wide = run_wrk(f"{base}/v1/analyze", args.seconds, varied, connections=64)
            print(
                f"workers={workers} c=64 varied drafts: {wide.requests_per_s:.0f} req/s p50={wide.p50_ms:.2f}ms "
                f"p99={wide.p99_ms:.2f}ms non2xx={wide.non_2xx} (503 from admission control count here)"
            )
            print_memory(process.pid, workers)
            if args.soak and workers == 1:
                before = tree_rss_mb(process.pid)
                # sized from the rate just measured, with a margin: wrk runs for a time, not a count
                seconds = max(5, int(1.15 * args.soak / max(analyze.requests_per_s, 1)) + 1)
                soak = run_wrk(f"{base}/v1/analyze", seconds, script)
                after = tree_rss_mb(process.pid)
                print(
                    f"soak: {soak.requests} analyze requests, non2xx={soak.non_2xx}, "
                    f"rss {before:.1f} MB -> {after:.1f} MB ({(after - before) / before * 100:+.1f}%)"
                )
        finally:
            process.terminate()
            process.wait(timeout=20)
    one, two = summary[1], summary[2]
    print(
        f"http: ratio_1w={one[0]:.2f} ratio_2w={two[0]:.2f} analyze_rps_1w={one[1].requests_per_s:.0f} "
        f"analyze_rps_2w={two[1].requests_per_s:.0f} p99_ms_1w={one[1].p99_ms:.1f} p99_ms_2w={two[1].p99_ms:.1f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
