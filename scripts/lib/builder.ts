/** Tiny helper to assemble labelled synthetic text. */
export interface LabSpan { type: string; start: number; end: number }
export class Doc {
  text = '';
  spans: LabSpan[] = [];
  t(s: string): this { this.text += s; return this; }
  e(type: string, s: string): this {
    this.spans.push({ type, start: this.text.length, end: this.text.length + s.length });
    this.text += s;
    return this;
  }
}
