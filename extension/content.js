// Injected only into the sites the user opted in to (registered by background.js with
// chrome.scripting.registerContentScripts). Loads the real content script as a module.
(() => {
  if (window.top !== window || globalThis.__urikomiLoaded) return;
  globalThis.__urikomiLoaded = true;
  import(chrome.runtime.getURL("src/content-main.js"))
    .then((module) => module.start())
    .catch((error) => console.warn("Urikomi: the content script could not start", error));
})();
