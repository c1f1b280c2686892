"""Real-text patterns (issue: judgement on text nobody here wrote): what the writer does, not what
the text contains. Every example is written for this test; none is taken from a real page."""

from __future__ import annotations

import pytest

from app.engine.analyze import Analyzer
from app.labels import HARD_SELL_LABELS, Label, Verdict
from app.training.corpus import Post, load_corpus
from app.training.splits import Split, assign_splits
from tests.conftest import DATA_DIR

QUOTED_BLAST = "＼本日限り／全品50%OFF!!残りわずか!今すぐご来店ください🔥詳しくはDMで!"

ESSAY = (
    "SNSの運用相談を受けていて、いちばん多い悩みは「投稿しているのに来店につながらない」というものです。\n\n"
    "アカウントを見せていただくと、多くの場合、タイムラインは次のような投稿で埋まっています。\n\n"
    f"「{QUOTED_BLAST}」\n\n"
    "こういう投稿が一度や二度なら問題はありません。けれど毎日続くと、読む人にとってそのアカウントは"
    "「安売りの知らせが来る場所」になります。値引きの日にしか来ない人が集まり、普段の日には誰も来ない。"
    "そして、もっと大きな値引きを出さないと反応がなくなっていきます。\n\n"
    "あるパン屋さんは、告知を週に一度に減らし、残りの日は仕込みの様子や、常連さんとの何気ない会話を"
    "書くことにしました。最初の一か月は反応が落ちて不安だったそうです。それでも続けるうちに、"
    "「投稿を読んで、店主さんに会ってみたくなった」と言ってくれるお客さんが現れました。\n\n"
    "急かす言葉は、一瞬だけ人を動かします。でも、人が長く通うのは、そこで働く人の顔が浮かぶお店です。"
    "割引の告知を出すなとは言いません。出すなら、なぜその値段にしたのか、誰に届けたいのかを、"
    "自分の言葉で添えてみてください。それだけで、同じ告知がまったく違って読まれるはずです。\n\n"
    "次回は、告知の頻度をどう決めるかについて、実際の数字を交えて書いてみます。"
)

STORY_THEN_PITCH = (
    "この仕事を始めて十年、数えきれないほどの方の体の悩みを聞いてきました。最初の三年は、"
    "自分の施術に自信が持てず、帰り道に何度も泣きました。ある日、腰痛で長く通ってくださった"
    "七十代の方が「あなたのおかげで孫を抱っこできた」と言ってくれて、この仕事を続けようと決めました。"
    "そこから毎晩、解剖学の本を読み直し、休みの日は先輩の院に勉強に行きました。"
    "今では、遠方から来てくださる方もいて、本当にありがたいことだと思っています。\n\n"
    "ただ、正直に言います。今月で初回価格の受付は終わりです。残り2枠です。迷っている方は、"
    "今すぐDMください。この機会を逃したら、次はいつになるかわかりません。後悔してからでは遅いです。"
)


@pytest.fixture(scope="module")
def test_blasts() -> list[Post]:
    posts = load_corpus(DATA_DIR)
    splits = assign_splits(posts)
    return [p for p in posts if splits[p.id] == Split.TEST and p.hard_sell and p.kind != "mixed"]


def hard(report_verdict: Verdict) -> bool:
    return report_verdict == Verdict.HARD_SELL


# 1. Mention is read as use
@pytest.mark.parametrize(
    "text",
    [
        "「今だけ」「残りわずか」といった言葉を毎日使うと、フォロワーは慣れてしまって、誰も急がなくなります。うちも一年やってみて、ようやくそれに気づきました。",
        "閉店セールの二重価格に気をつけてください。「通常価格の70%OFF」と書かれていても、その通常価格で売られていた期間がほとんどない、ということがあります。買う前に、ふだんの値段を一度調べてみると安心です。",
        "プレゼント企画のやり方を聞かれたので、まとめておきます。応募の条件を「フォロー&リポスト」にすると、応募は増えますが、終わったあとにフォローを外す人も増えます。うちでは、感想をコメントしてくれた方の中から選ぶ形にしています。",
    ],
)
def test_text_that_quotes_or_explains_hard_selling_is_not_a_hard_sell(analyzer: Analyzer, text: str) -> None:
    assert not hard(analyzer.analyze(text).verdict)


# 2. Long-form
def test_a_long_essay_about_why_deal_blasts_fail_is_ok_while_its_quoted_blast_alone_is_a_hard_sell(analyzer: Analyzer) -> None:
    essay = analyzer.analyze(ESSAY)
    assert essay.verdict == Verdict.OK
    assert all(section.verdict == Verdict.OK for section in essay.sections)
    assert analyzer.analyze(QUOTED_BLAST).verdict == Verdict.HARD_SELL


def test_a_long_story_that_ends_in_a_pressure_pitch_is_flagged_with_the_pitch_highlighted(analyzer: Analyzer) -> None:
    report = analyzer.analyze(STORY_THEN_PITCH)
    assert report.verdict == Verdict.HARD_SELL
    pitch_start = STORY_THEN_PITCH.index("ただ、正直に言います")
    pushy = [s for s in report.spans if s.category in HARD_SELL_LABELS]
    assert pushy and all(s.start >= pitch_start for s in pushy)
    assert report.sections[0].verdict == Verdict.OK
    assert report.sections[-1].verdict == Verdict.HARD_SELL


# 3. Reference pages
@pytest.mark.parametrize(
    "text",
    [
        "■会員ランクと特典\nレギュラー会員:お買い上げ金額の1%をポイント還元\nシルバー会員(年間3万円以上):3%還元、誕生月は5%OFF\nゴールド会員(年間10万円以上):5%還元、送料無料\n※ランクは毎年4月1日に前年度のご利用額で判定します。\n※ポイントの有効期限は最終ご利用日から1年間です。",
        "Q. クーポンは他の割引と併用できますか?\nA. 申し訳ございませんが、会員割引・セール価格との併用はできません。1回のご注文につき1枚までご利用いただけます。\nQ. ポイント5倍デーはいつですか?\nA. 毎月5日・15日・25日です。ご注文確定日が対象となります。",
        "【キャンセルポリシー】\nご予約日の3日前まで:無料\n前々日・前日:ご利用料金の50%\n当日・無断キャンセル:ご利用料金の100%\n※早割プランは、ご予約確定後の変更・キャンセルはできません。",
    ],
)
def test_reference_pages_that_list_discounts_are_not_deal_blasts(analyzer: Analyzer, text: str) -> None:
    assert not hard(analyzer.analyze(text).verdict)


# 4. Misses: Latin-script promos, landing-page and affiliate copy, side income, prize campaigns
@pytest.mark.parametrize(
    "text",
    [
        "BIG SALE\n11/20(FRI)-11/29(SUN)\nALL ITEMS UP TO 70% OFF",
        "SUMMER SALE 7.1-7.15 MAX 50%OFF @ONLINE STORE",
        "【2026年最新】脱毛サロンおすすめ10選!圧倒的な満足度No.1はここ。知らないと損する今だけの初回半額キャンペーンは必見です。",
        "スマホだけで1日5分、誰でも月10万円。「本当に振り込まれました!」と喜びの声が続々。今すぐLINE登録で攻略マニュアルを無料プレゼント!",
        "対象商品を含むレシートで応募!抽選で100名様に最新家電が当たる!Wチャンスでハズレた方にも500ポイント。応募はお早めに!",
    ],
)
def test_latin_landing_side_income_and_prize_copy_are_hard_sells(analyzer: Analyzer, text: str) -> None:
    assert hard(analyzer.analyze(text).verdict)


# 5. Quotes as a story signal
def test_a_testimonial_used_as_sales_proof_is_not_a_story(analyzer: Analyzer) -> None:
    text = "「たった2週間でマイナス5kg!」「もっと早く始めればよかった」「人生が変わりました」\n喜びの声が続々届いています!今なら初月無料、先着30名様限定。今すぐお申し込みください!"
    report = analyzer.analyze(text)
    assert Label.STORY not in report.labels
    assert hard(report.verdict)


# 6. Self-talk is not pressure on the reader
def test_an_owners_resolve_in_an_anniversary_post_is_not_pressure(analyzer: Analyzer) -> None:
    text = (
        "おかげさまで、今日で開店十周年を迎えました。\n正直、何度も辞めようと思いました。"
        "でも、ここでやめたら、きっと一生後悔する。ここでやらなきゃ、いつやるんだ。そう自分に言い聞かせて、"
        "毎朝シャッターを開けてきました。\n支えてくださった皆さん、本当にありがとうございます。これからもよろしくお願いします。"
    )
    assert not hard(analyzer.analyze(text).verdict)


# 7. Story does not fire on news and procedures
@pytest.mark.parametrize(
    "text",
    [
        "市内の大型スーパーが今月末で閉店することになり、26日から閉店セールが始まった。衣料品や日用品の一部が最大7割引きとなり、初日は開店前から約300人が列をつくった。運営会社によると、建物の老朽化が理由だという。",
        "申し込みの手順は次のとおりです。1. 会員ページにログインします。2. 「予約」ボタンから希望の日時を選びます。3. 確認メールのURLを開いて手続きを完了します。",
    ],
)
def test_news_and_procedures_are_not_story_posts(analyzer: Analyzer, text: str) -> None:
    report = analyzer.analyze(text)
    assert Label.STORY not in report.labels
    assert not hard(report.verdict)


# Metamorphic: wrapping a blast in a quote inside a sentence that criticises it
def test_a_blast_quoted_inside_criticism_is_no_longer_a_hard_sell(analyzer: Analyzer, test_blasts: list[Post]) -> None:
    flagged = [p for p in test_blasts if hard(analyzer.analyze(p.text).verdict)]
    calmed = sum(
        analyzer.analyze(f"「{p.text}」のような投稿は逆効果です。フォロワーさんは、もっとお店の人の話を読みたいと思っています。").verdict
        == Verdict.OK
        for p in flagged
    )
    assert len(flagged) >= 300
    assert calmed / len(flagged) >= 0.9
