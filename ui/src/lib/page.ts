/**
 * The contract of a dashboard page: one module under ui/src/pages/<id>.ts exporting a `Page`,
 * listed in ui/src/pages/index.ts. The shell (ui/src/main.ts) routes `#/<id>/<args...>` to it.
 */
import type { VNode } from "./html.ts"

/** Props every page component gets. */
export interface PageProps {
  /** Path segments after `#/<id>/`, URI-decoded (e.g. `#/chain/tx/ABCD` gives ["tx", "ABCD"]). */
  readonly args: ReadonlyArray<string>
}

/** A page of the dashboard. */
export interface Page {
  /** Route id, `[a-z]+`: the page lives at `#/<id>`. */
  readonly id: string
  /** Title in the navigation bar and the document title. */
  readonly title: string
  readonly component: (props: PageProps) => VNode
}

/** The hash link to a page (and optional args): `href("chain", "tx", hash)`. */
export const href = (id: string, ...args: ReadonlyArray<string>): string =>
  `#/${[id, ...args.map(encodeURIComponent)].join("/")}`
