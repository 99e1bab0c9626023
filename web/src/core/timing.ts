// Marks the moment the first estimate is on screen (navigation → first numbers), for the note and the tests:
// called after React commits the cards, it stamps the next animation frame, the one that paints them.
let marked = false;

export function markFirstEstimate(): void {
  if (marked) return;
  marked = true;
  requestAnimationFrame(() => {
    performance.mark('genz:first-estimate');
    document.documentElement.dataset.firstEstimateMs = String(Math.round(performance.now()));
  });
}
