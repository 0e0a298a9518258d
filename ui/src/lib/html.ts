/**
 * `html` tagged templates bound to preact (htm), and the preact exports pages use, so every page
 * imports its UI library from one place. Source: htm/preact (developit/htm).
 */
export { html, render } from "htm/preact"
export { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks"
export type { ComponentChildren, FunctionComponent, VNode } from "preact"
