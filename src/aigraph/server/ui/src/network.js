// The network view: people, sessions, organisations and topics as an interactive graph
// (Cytoscape.js: zoom, drag, click a node to open its page).
import cytoscape from "cytoscape";

const COLOURS = { person: "#d9480f", session: "#1c7ed6", organisation: "#2b8a3e", topic: "#862e9c" };

export function draw(container, data) {
  const elements = [
    ...data.nodes.map((n) => ({ data: { id: n.id, label: n.label, kind: n.kind, href: n.href } })),
    ...data.edges.map((e, i) => ({ data: { id: `e${i}`, source: e.source, target: e.target, relation: e.relation } })),
  ];
  const cy = cytoscape({
    container,
    elements,
    layout: { name: "cose", animate: false, randomize: false, nodeRepulsion: 9000, idealEdgeLength: 70 },
    style: [
      {
        selector: "node",
        style: {
          label: "data(label)",
          "font-size": 9,
          "text-wrap": "ellipsis",
          "text-max-width": 110,
          width: 14,
          height: 14,
          "background-color": (node) => COLOURS[node.data("kind")] || "#666",
        },
      },
      { selector: "edge", style: { width: 1, "line-color": "#bbb", "curve-style": "haystack" } },
      { selector: "node:selected", style: { "border-width": 3, "border-color": "#ffbf47" } },
    ],
    wheelSensitivity: 0.3,
  });
  cy.on("tap", "node", (event) => {
    const href = event.target.data("href");
    if (href) window.location.href = href;
  });
  window.aigraphNetwork = cy; // for the browser tests and the curious
  return cy;
}

const container = document.getElementById("network");
if (container) {
  // the labels in the page's language (set by ?lang or Accept-Language on the page itself)
  fetch(`/ui/network.json?lang=${encodeURIComponent(document.documentElement.lang)}`)
    .then((r) => r.json())
    .then((data) => draw(container, data));
}
