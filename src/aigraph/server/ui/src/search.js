// Type-ahead for the search box in every page's header: asks /search as the person types
// (150 ms after the last key), lists the best matches, and opens one with Enter or a click.
// Without JavaScript the same form submits to /search, which answers with a results page.
// Every value is put in the page with textContent, never as HTML.

const form = document.querySelector("form.search");
const input = document.getElementById("site-search");
const list = document.getElementById("site-search-list");
let timer = null;
let active = -1;
let items = [];

function close() {
  list.hidden = true;
  input.setAttribute("aria-expanded", "false");
  input.removeAttribute("aria-activedescendant");
  active = -1;
}

function select(index) {
  const options = list.querySelectorAll("li");
  options.forEach((li, i) => li.setAttribute("aria-selected", String(i === index)));
  active = index;
  if (index >= 0) input.setAttribute("aria-activedescendant", options[index].id);
}

async function suggest() {
  const q = input.value.trim();
  if (!q) return close();
  const response = await fetch(`/search?q=${encodeURIComponent(q)}&limit=8&lang=${form.dataset.lang}`, {
    headers: { Accept: "application/json" },
  });
  if (!response.ok || input.value.trim() !== q) return;
  items = (await response.json()).results;
  list.replaceChildren(
    ...items.map((item, i) => {
      const li = document.createElement("li");
      li.id = `site-search-${i}`;
      li.setAttribute("role", "option");
      li.textContent = item.label;
      const kind = document.createElement("span");
      kind.className = "badge";
      kind.textContent = item.kind_label;
      li.append(" ", kind);
      li.addEventListener("mousedown", (event) => {
        event.preventDefault();
        window.location.href = item.href;
      });
      return li;
    }),
  );
  list.hidden = items.length === 0;
  input.setAttribute("aria-expanded", String(items.length > 0));
  active = -1;
}

if (form && input && list) {
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(suggest, 150);
  });
  input.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      select(Math.min(active + 1, items.length - 1));
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      select(Math.max(active - 1, 0));
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      window.location.href = items[active].href;
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 100));
}

// The language switch keeps the page's other parameters (the server writes them into its
// link); the editor changes its URL as the query is run (history.replaceState), so the link
// is written again from the address as it is at the click.
for (const link of document.querySelectorAll("a[data-lang-switch]")) {
  link.addEventListener("click", () => {
    const url = new URL(window.location.href);
    url.searchParams.set("lang", link.dataset.langSwitch);
    link.href = url.href;
  });
}
