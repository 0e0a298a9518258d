/**
 * The dashboard shell: navigation bar, hash routing (`#/<page>/<args...>`, pages from
 * pages/index.ts), keyboard use (links and buttons only, visible focus, keys 1-9 switch pages,
 * `g` focuses the navigation), a live indicator (websocket or polling) and the chain id.
 */
import "./style.css"
import { html, render, useEffect, useRef, useState } from "./lib/html.ts"
import { useLoad } from "./lib/live.ts"
import { href } from "./lib/page.ts"
import { liveMode, rpc } from "./lib/rpc.ts"
import { pages } from "./pages/index.ts"

interface Route { readonly id: string; readonly args: ReadonlyArray<string> }

const parseHash = (hash: string): Route => {
  const parts = hash.replace(/^#\/?/, "").split("/").filter((p) => p !== "")
  const id = parts[0] ?? pages[0]!.id
  const args: string[] = []
  for (const p of parts.slice(1)) {
    try {
      args.push(decodeURIComponent(p))
    } catch {
      args.push(p)
    }
  }
  return { id, args }
}

const useRoute = (): Route => {
  const [route, setRoute] = useState(() => parseHash(location.hash))
  useEffect(() => {
    const on = () => setRoute(parseHash(location.hash))
    addEventListener("hashchange", on)
    return () => removeEventListener("hashchange", on)
  }, [])
  return route
}

const typing = (t: EventTarget | null) =>
  t instanceof HTMLElement && (t.isContentEditable || t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT")

const useShortcuts = () => {
  useEffect(() => {
    const on = (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey || typing(e.target)) return
      const n = Number(e.key)
      if (Number.isInteger(n) && n >= 1 && n <= pages.length) {
        location.hash = href(pages[n - 1]!.id)
        e.preventDefault()
      } else if (e.key === "g") {
        document.querySelector<HTMLElement>("nav a[aria-current=page]")?.focus()
        e.preventDefault()
      }
    }
    addEventListener("keydown", on)
    return () => removeEventListener("keydown", on)
  }, [])
}

const App = () => {
  const route = useRoute()
  useShortcuts()
  const status = useLoad(() => rpc("status"), [], true)
  const page = pages.find((p) => p.id === route.id)
  const first = useRef(true)
  useEffect(() => {
    document.title = `${page?.title ?? "Not found"} · cyberkernel`
    // Move focus to the page heading on navigation (not on first load), for keyboard and screen-reader users.
    if (!first.current) document.querySelector<HTMLElement>("main h1")?.focus()
    first.current = false
  }, [route.id])
  const chain = status.value?.node_info?.network
  return html`
    <header>
      <span class="brand">cyberkernel</span>
      <nav aria-label="Pages">
        ${pages.map((p, i) => html`
          <a href=${href(p.id)} aria-current=${p.id === route.id ? "page" : undefined}
             aria-keyshortcuts=${String(i + 1)} title=${`${p.title} (key ${i + 1})`}>${p.title}</a>`)}
      </nav>
      <span class="meta">
        ${chain ? html`<span data-field="chain-id">${chain}</span>` : null}
        <span class=${`live ${status.error ? "down" : ""}`} title="live updates">${status.error ? "node unreachable" : liveMode() === "ws" ? "live (websocket)" : "live (polling)"}</span>
      </span>
    </header>
    <main id="main">
      ${page
        ? html`<${page.component} args=${route.args} />`
        : html`<h1 tabindex="-1">Not found</h1><p>No page "${route.id}". <a href=${href(pages[0]!.id)}>Go to ${pages[0]!.title}</a>.</p>`}
    </main>`
}

const root = document.getElementById("app")!
root.textContent = ""
render(html`<${App} />`, root)
