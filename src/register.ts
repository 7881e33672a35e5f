/**
 * Registers every element (the one place that calls `customElements.define`). Safe to load twice.
 */
export function define(name: string, ctor: CustomElementConstructor): void {
  if (!customElements.get(name)) customElements.define(name, ctor);
}
