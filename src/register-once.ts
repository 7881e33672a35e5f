/** Defines a custom element once (safe when the script is loaded twice). Only the register modules call it. */
export function defineOnce(name: string, ctor: CustomElementConstructor): void {
  if (!customElements.get(name)) customElements.define(name, ctor);
}
