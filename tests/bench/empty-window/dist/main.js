// Reports once the browser has painted, as Cachicamo's UI does after its first screen, with the
// same two readings of the page's clock: when its script first ran, and when it had painted.
const scriptRan = performance.now();
requestAnimationFrame(() => {
  window.__TAURI_INTERNALS__.invoke('report_first_render', { scriptRan, painted: performance.now() });
});
