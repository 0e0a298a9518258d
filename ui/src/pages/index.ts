/**
 * The dashboard's pages, in navigation order; keys 1-9 switch to them. Add a page: write
 * ui/src/pages/<id>.ts exporting a `Page` (lib/page.ts), import it here and list it.
 */
import type { Page } from "../lib/page.ts"
import { chainPage } from "./chain.ts"
import { govPage } from "./gov.ts"
import { graphPage } from "./graph.ts"
import { kernelPage } from "./kernel.ts"
import { machinesPage } from "./machines.ts"
import { programsPage } from "./programs.ts"

/** Every page, in navigation order (the first is the default route). */
export const pages: ReadonlyArray<Page> = [
  chainPage,
  machinesPage,
  kernelPage,
  graphPage,
  programsPage,
  govPage
]
