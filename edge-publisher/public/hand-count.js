// numHands 'auto': track one hand (fast: the palm detector is skipped while the hand is
// tracked) and look for a second one now and then with a two-hand landmarker; while two
// hands are in view, track both. A two-hand sign (Agregar) is picked up within a third of a
// second, and the common one-hand case runs at nearly one-hand speed.
export class HandCountPolicy {
  /**
   * @param {{ probeEvery?: number, dropAfter?: number }} [opts]
   *   probeEvery: frames between two-hand probes while tracking one hand;
   *   dropAfter: consecutive frames with fewer than two hands before going back to one.
   */
  constructor(opts = {}) {
    this.probeEvery = opts.probeEvery ?? 10;
    this.dropAfter = opts.dropAfter ?? 15;
    this.two = false;
    this.sinceProbe = 0;
    this.short = 0;
  }

  /** How many hands to look for in this frame: 1 or 2. */
  next() {
    if (this.two) return 2;
    this.sinceProbe += 1;
    if (this.sinceProbe < this.probeEvery) return 1;
    this.sinceProbe = 0;
    return 2;
  }

  /** What a frame found with the landmarker `next()` chose. */
  observe(used, found) {
    if (used !== 2) return;
    if (found >= 2) {
      this.two = true;
      this.short = 0;
    } else if (this.two && ++this.short >= this.dropAfter) {
      this.two = false;
      this.short = 0;
    }
  }
}
