// Reports once the browser has painted, as Cachicamo's UI does after its first screen.
requestAnimationFrame(() => {
  window.__TAURI_INTERNALS__.invoke('report_first_render');
});
