import { css } from 'lit';

// Stores theme the widget through these custom properties and the parts listed on the element.
export const widgetStyles = css`
  :host {
    --_accent: var(--tryon-accent, #111);
    --_accent-text: var(--tryon-accent-text, #fff);
    --_bg: var(--tryon-bg, #fff);
    --_fg: var(--tryon-fg, #111);
    --_muted: var(--tryon-muted, #555);
    --_radius: var(--tryon-radius, 8px);
    --_focus: var(--tryon-focus, #1a73e8);
    --_error: var(--tryon-error, #b00020);
    display: inline-block;
    font-family: var(--tryon-font, system-ui, sans-serif);
  }
  button, .button {
    display: inline-flex; align-items: center; justify-content: center; gap: 0.4em;
    min-height: 44px; padding: 0.6em 1.2em; border-radius: var(--_radius); border: 1px solid var(--_accent);
    font: inherit; font-weight: 600; cursor: pointer; text-decoration: none; box-sizing: border-box;
  }
  .primary { background: var(--_accent); color: var(--_accent-text); }
  .secondary { background: transparent; color: var(--_fg); }
  button:disabled { opacity: 0.45; cursor: not-allowed; }
  :focus-visible { outline: 3px solid var(--_focus); outline-offset: 2px; }
  label.button:focus-within { outline: 3px solid var(--_focus); outline-offset: 2px; }
  dialog {
    width: min(92vw, 480px); max-height: 92vh; padding: 0; border: none; border-radius: calc(var(--_radius) * 1.5);
    background: var(--_bg); color: var(--_fg); box-shadow: 0 12px 48px rgb(0 0 0 / 30%);
  }
  dialog::backdrop { background: rgb(0 0 0 / 55%); }
  header { display: flex; align-items: center; justify-content: space-between; padding: 1rem 1rem 0 1.25rem; }
  header { gap: 0.75rem; }
  .product { width: 44px; height: 44px; object-fit: cover; border-radius: calc(var(--_radius) / 2); flex: none; }
  h2 { font-size: 1.15rem; margin: 0; flex: 1; }
  .icon { border: none; background: transparent; color: var(--_fg); min-width: 44px; padding: 0; font-size: 1.1rem; }
  .body { padding: 1rem 1.25rem 1.25rem; display: grid; gap: 0.9rem; }
  .dropzone {
    display: grid; justify-items: center; gap: 0.6rem; padding: 1.5rem 1rem;
    border: 2px dashed color-mix(in srgb, var(--_fg) 30%, transparent); border-radius: var(--_radius);
  }
  .dropzone.dragging { border-color: var(--_accent); background: color-mix(in srgb, var(--_accent) 6%, transparent); }
  .muted { color: var(--_muted); margin: 0; font-size: 0.9rem; }
  .photo { width: 100%; max-height: 55vh; object-fit: contain; border-radius: var(--_radius); background: #f3f3f3; }
  .waiting { filter: grayscale(0.6) blur(1px); opacity: 0.7; }
  .consent { display: flex; gap: 0.6rem; align-items: flex-start; font-size: 0.92rem; }
  .consent input { width: 1.2rem; height: 1.2rem; margin-top: 0.15rem; flex: none; }
  .privacy { color: var(--_fg); font-size: 0.9rem; }
  .actions { display: flex; flex-wrap: wrap; gap: 0.6rem; }
  .running { display: grid; gap: 0.7rem; }
  .status { margin: 0; font-weight: 600; }
  progress { width: 100%; height: 0.6rem; accent-color: var(--_accent); }
  .error { color: var(--_error); font-weight: 600; margin: 0; }
  .visually-hidden {
    position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
    clip: rect(0 0 0 0); white-space: nowrap; border: 0;
  }
  @media (hover: hover) and (pointer: fine) { .camera { display: none; } }
`;
