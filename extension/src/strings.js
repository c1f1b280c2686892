// The extension's own words (Japanese, polite). Words for the report itself (verdict, meters,
// suggestions) come from the web form's i18n.js, copied into vendor/ by pack.py.

import { translator as formTranslator } from "../vendor/i18n.js";

const STRINGS = {
  ja: {
    "ext.name": "Urikomi 売り込みチェック",
    "badge.idle": "チェック",
    "badge.loading": "チェック中…",
    "badge.unreachable": "接続できません",
    "badge.auth_required": "キーが必要です",
    "badge.auth_rejected": "キーを確認",
    "badge.rate_limited": "少し待機中",
    "badge.too_long": "長すぎます",
    "badge.permission": "許可が必要です",
    "badge.error": "エラー",
    "badge.not_configured": "設定してください",
    "badge.label": "Urikomi 売り込みチェック:{state}。押すと詳細を表示します。",
    "panel.title": "Urikomi 売り込みチェック",
    "panel.close": "閉じる",
    "panel.recheck": "もう一度チェック",
    "panel.options": "設定を開く",
    "panel.idle": "入力を止めると自動でチェックします。今すぐチェックするには「もう一度チェック」を押してください。",
    "panel.loading": "チェックしています。そのまま入力を続けていただいて大丈夫です。",
    "panel.stale": "文章が変わったため、置き換えませんでした。もう一度チェックしています。",
    "panel.applied": "置き換えました。もう一度チェックしています。",
    "panel.appliedAll": "提案をすべて適用しました。もう一度チェックしています。",
    "panel.undone": "元に戻しました。",
    "panel.undo": "元に戻す",
    "panel.applyAll": "すべて適用",
    "panel.copy": "コピー",
    "panel.copied": "文章をコピーしました。",
    "panel.copyEmpty": "文章が空のため、コピーするものがありません。",
    "panel.copyFailed": "コピーできませんでした。文章を選択して手動でコピーしてください。",
    "panel.kept": "「{text}」は今後指摘しません。設定画面からいつでも戻せます。",
    "panel.details": "スコアと下書きの見え方",
    "setup.title": "はじめに、Urikomi サーバーを設定してください",
    "setup.body": "この拡張機能は、あなたが使う Urikomi サーバーで文章をチェックします。まだサーバーのアドレスが設定されていません。設定画面でアドレスを入力し、「接続テスト」で確かめてください。",
    "setup.open": "設定を開く",
    "error.title": "チェックできませんでした",
    "error.unreachable":
      "Urikomi サーバー({url})に接続できませんでした。サーバーが起動しているか、設定画面の API の URL が正しいかをご確認ください。",
    "error.timeout": "Urikomi サーバー({url})から時間内に応答がありませんでした。しばらくしてから、もう一度お試しください。",
    "error.auth_required": "このサーバーでは API キーが必要です。設定画面で API キーを入力してください。",
    "error.auth_rejected": "API キーが受け付けられませんでした。設定画面で API キーをご確認ください。",
    "error.rate_limited":
      "短い時間にたくさんチェックしたため、少しお休みしています。{seconds} 秒ほど経ってから、もう一度チェックします。",
    "error.rate_limited_manual": "短い時間にたくさんチェックしたため、少しお休みしています。{seconds} 秒ほど待ってからお試しください。",
    "error.too_long": "文章が長すぎます({count} 文字)。{limit} 文字以内にしてください。",
    "error.too_long_plain": "文章が長すぎるため、チェックできませんでした。短くしてからお試しください。",
    "error.empty": "文章が空です。チェックしたい文章を入力してください。",
    "error.invalid": "入力内容をご確認ください。({detail})",
    "error.loading": "サーバーがモデルを準備しています。少し待ってから、もう一度お試しください。",
    "error.server": "サーバーで問題が起きました(エラー {status})。時間をおいて、もう一度お試しください。",
    "error.permission":
      "API の URL({url})へのアクセスが許可されていません。設定画面で URL を保存し直し、アクセスを許可してください。",
    "error.not_allowed": "このサイトでは自動チェックが有効になっていません。",
    "error.extension": "拡張機能の準備ができていません。ページを再読み込みしてから、もう一度お試しください。",
    "error.not_configured": "まだ Urikomi サーバーが設定されていません。設定画面でサーバーのアドレスを入力してください。",
  },
};

function fill(template, vars) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

/** A translator `t(key, vars)` as render.js expects: the extension's words, then the form's. */
export function translator(lang = "ja") {
  const table = STRINGS[lang] || STRINGS.ja;
  const form = formTranslator(lang);
  return (key, vars = {}) => (key in table ? fill(table[key], vars) : form(key, vars));
}

/** One polite sentence for an error object from the service worker. */
export function errorMessage(error, t, { manual = false } = {}) {
  const e = error || {};
  switch (e.kind) {
    case "unreachable":
      return t(e.timedOut ? "error.timeout" : "error.unreachable", { url: e.url || "" });
    case "auth_required":
      return t("error.auth_required");
    case "auth_rejected":
      return t("error.auth_rejected");
    case "rate_limited":
      return t(manual ? "error.rate_limited_manual" : "error.rate_limited", { seconds: e.retryAfter || 10 });
    case "too_long":
      return e.count && e.limit ? t("error.too_long", { count: e.count, limit: e.limit }) : t("error.too_long_plain");
    case "empty":
      return t("error.empty");
    case "invalid":
      return t("error.invalid", { detail: e.detail || e.status || "" });
    case "loading":
      return t("error.loading");
    case "permission":
      return t("error.permission", { url: e.url || "" });
    case "not_allowed":
      return t("error.not_allowed");
    case "extension":
      return t("error.extension");
    case "not_configured":
      return t("error.not_configured");
    default:
      return t("error.server", { status: e.status || "?" });
  }
}

/** Error kinds the options page can fix. */
export const FIXED_IN_OPTIONS = Object.freeze(["unreachable", "auth_required", "auth_rejected", "permission", "not_configured"]);
