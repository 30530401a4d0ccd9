// Types for the analyzer's Lit plugin, which its package ships without declarations (widget/manifest.ts uses it).
declare module '@custom-elements-manifest/analyzer/src/features/framework-plugins/lit/lit.js' {
  import type { Plugin } from '@custom-elements-manifest/analyzer';
  export function litPlugin(): Plugin[];
}
