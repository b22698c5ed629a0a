// Minimal types for the two untyped packages the HTML compressor uses (turndown ships none, and
// @types/turndown is not a dependency). Only what `html-markdown.ts` calls is declared. They are
// imported as `#turndown` and `#turndown-plugin-gfm` (package.json `imports`): the packages in
// the sources, bundled copies in dist/vendor in the built package (scripts/vendor-turndown.ts).

declare module '#turndown' {
  interface TurndownOptions {
    headingStyle?: 'setext' | 'atx';
    hr?: string;
    bulletListMarker?: '-' | '+' | '*';
    codeBlockStyle?: 'indented' | 'fenced';
    fence?: '```' | '~~~';
    emDelimiter?: '_' | '*';
    strongDelimiter?: '**' | '__';
    linkStyle?: 'inlined' | 'referenced';
    br?: string;
  }

  interface TurndownRule {
    // Nodes are the DOM's (linkedom's here); turndown adds flags such as `isBlock` to them.
    filter: string | string[] | ((node: any, options: TurndownOptions) => boolean);
    replacement: (content: string, node: any, options: TurndownOptions) => string;
  }

  export default class TurndownService {
    constructor(options?: TurndownOptions);
    addRule(key: string, rule: TurndownRule): this;
    remove(filter: string | string[] | ((node: any) => boolean)): this;
    use(plugin: (service: TurndownService) => void): this;
    /** Converts an HTML string or a DOM node (cloned first, never changed) to Markdown. */
    turndown(input: string | object): string;
    escape(text: string): string;
  }
}

declare module '#turndown-plugin-gfm' {
  import type TurndownService from '#turndown';
  export function strikethrough(service: TurndownService): void;
  export function taskListItems(service: TurndownService): void;
  export function highlightedCodeBlock(service: TurndownService): void;
  export function tables(service: TurndownService): void;
  export function gfm(service: TurndownService): void;
}
