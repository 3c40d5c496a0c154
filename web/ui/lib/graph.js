// A lineage graph drawn by Cytoscape with the dagre layout (left to right:
// sources on the left). Loaded on first use, so other pages never fetch it.
//
// A model is {nodes: [{id, label, parent, classes, title}], edges: [{id,
// source, target, label, classes}]}. Classes the style knows: start, dataset
// (a compound box around its columns), redacted, new; on edges direct,
// indirect, masking, job.
import { h } from './dom.js';

let library = null;

async function cytoscapeLib() {
  library ??= Promise.all([
    import('../vendor/cytoscape.esm.min.mjs'),
    import('../vendor/cytoscape-dagre.min.mjs'),
  ]).then(([core, dagre]) => {
    const cytoscape = core.default;
    cytoscape.use(dagre.default);
    return cytoscape;
  });
  return library;
}

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif';

const STYLE = [
  { selector: 'node', style: {
    shape: 'round-rectangle', 'background-color': '#ffffff', 'border-width': 1.5, 'border-color': '#7b8da3',
    label: 'data(label)', 'font-family': FONT, 'font-size': 11, color: '#1d2733', 'text-valign': 'center',
    'text-halign': 'center', width: 'data(w)', height: 26,
  } },
  { selector: 'node.dataset', style: {
    'background-color': '#eef3f9', 'border-color': '#9fb3c8', 'border-width': 1, 'text-valign': 'top',
    'text-halign': 'center', 'font-weight': 'bold', 'font-size': 12, padding: 10, color: '#1f4e79',
  } },
  { selector: 'node.table', style: { 'background-color': '#eef3f9', 'border-color': '#5b7fa6', height: 34, 'font-size': 12 } },
  { selector: 'node.start', style: { 'border-width': 3, 'border-color': '#1f6feb' } },
  { selector: 'node.dataset.start', style: { 'border-width': 2, 'border-color': '#1f6feb' } },
  { selector: 'node.redacted', style: {
    'background-color': '#e5e7eb', 'border-style': 'dashed', 'border-color': '#9ca3af', color: '#4b5563', 'font-style': 'italic',
  } },
  { selector: 'node.new', style: { 'background-color': '#fff7d6' } },
  { selector: 'node.pii', style: { 'border-color': '#b42318' } },
  { selector: 'node:selected', style: { 'overlay-color': '#1f6feb', 'overlay-opacity': 0.15, 'overlay-padding': 4 } },
  { selector: 'edge', style: {
    width: 1.6, 'line-color': '#52667a', 'target-arrow-color': '#52667a', 'target-arrow-shape': 'triangle',
    'curve-style': 'bezier', 'arrow-scale': 0.9, 'font-family': FONT, 'font-size': 10, color: '#334155',
    'text-background-color': '#ffffff', 'text-background-opacity': 0.85, 'text-background-padding': 2, label: 'data(label)',
    'text-margin-y': -9,
  } },
  { selector: 'edge.indirect', style: {
    'line-style': 'dashed', 'line-dash-pattern': [6, 4], 'line-color': '#94a3b8', 'target-arrow-color': '#94a3b8',
  } },
  { selector: 'edge.masking', style: {
    'line-color': '#c2410c', 'target-arrow-color': '#c2410c', 'target-arrow-shape': 'diamond', width: 2.4,
    color: '#9a3412', 'font-weight': 'bold',
  } },
  { selector: 'edge:selected', style: { width: 3.2, 'overlay-color': '#1f6feb', 'overlay-opacity': 0.12 } },
];

function labelWidth(label) {
  return Math.min(260, Math.max(48, 14 + String(label).length * 6.6));
}

function elementsOf(model) {
  const nodes = model.nodes.map((n) => ({
    group: 'nodes',
    data: { id: n.id, label: n.label, parent: n.parent, w: labelWidth(n.label), title: n.title ?? n.label },
    classes: (n.classes ?? []).join(' '),
  }));
  const edges = model.edges.map((e) => ({
    group: 'edges',
    data: { id: e.id, source: e.source, target: e.target, label: e.label ?? '' },
    classes: (e.classes ?? []).join(' '),
  }));
  return [...nodes, ...edges];
}

// Ranks sit far enough apart for the longest edge label to fit between them.
function layoutOf(model) {
  const longest = Math.max(0, ...model.edges.map((e) => String(e.label ?? '').length));
  return { name: 'dagre', rankDir: 'LR', nodeSep: 14, rankSep: Math.max(90, 40 + longest * 6.5), edgeSep: 8, padding: 24, animate: false, fit: true };
}

// Draws `model` into `container`. onSelect(id | null) on a tap, onOpen(id)
// on a double tap. The Cytoscape instance hangs on the container as
// `container.cy`, for the browser tests to find a node's position.
export async function drawGraph(container, model, { onSelect = () => {}, onOpen = () => {}, label = 'Lineage graph' } = {}) {
  const cytoscape = await cytoscapeLib();
  container.setAttribute('role', 'img');
  container.setAttribute('aria-label', `${label} (arrows pan, + and - zoom, 0 fits)`);
  if (!container.hasAttribute('tabindex')) container.tabIndex = 0;
  const cy = cytoscape({
    container, elements: elementsOf(model), style: STYLE, layout: layoutOf(model),
    minZoom: 0.15, maxZoom: 3, boxSelectionEnabled: false,
  });
  container.cy = cy;
  // A small graph fitted to the box would be drawn huge: cap the zoom.
  const settle = () => {
    if (cy.zoom() > 1.25) {
      cy.zoom(1.25);
      cy.center();
    }
  };
  settle();
  cy.on('tap', 'node, edge', (event) => onSelect(event.target.id(), event.target.isNode() ? 'node' : 'edge'));
  cy.on('tap', (event) => { if (event.target === cy) onSelect(null); });
  cy.on('dbltap', 'node', (event) => onOpen(event.target.id()));
  // Keyboard, with the graph focused: arrows pan, + and - zoom, 0 fits.
  const pan = { ArrowLeft: { x: 60, y: 0 }, ArrowRight: { x: -60, y: 0 }, ArrowUp: { x: 0, y: 60 }, ArrowDown: { x: 0, y: -60 } };
  container.addEventListener('keydown', (event) => {
    if (pan[event.key]) cy.panBy(pan[event.key]);
    else if (event.key === '+' || event.key === '=') cy.zoom({ level: cy.zoom() * 1.25, renderedPosition: { x: container.clientWidth / 2, y: container.clientHeight / 2 } });
    else if (event.key === '-') cy.zoom({ level: cy.zoom() * 0.8, renderedPosition: { x: container.clientWidth / 2, y: container.clientHeight / 2 } });
    else if (event.key === '0') { cy.fit(undefined, 24); settle(); } else return;
    event.preventDefault();
  });
  const count = () => {
    container.dataset.nodes = String(cy.nodes().filter((n) => !n.isParent()).length);
    container.dataset.edges = String(cy.edges().length);
  };
  count();
  return {
    cy,
    update(next) {
      cy.elements().remove();
      cy.add(elementsOf(next));
      cy.layout(layoutOf(next)).run();
      settle();
      count();
    },
    fit() {
      cy.fit(undefined, 24);
      settle();
    },
    zoom(factor) {
      cy.zoom({ level: cy.zoom() * factor, renderedPosition: { x: container.clientWidth / 2, y: container.clientHeight / 2 } });
    },
    select(id) {
      cy.elements().unselect();
      const el = cy.getElementById(id);
      if (el.nonempty()) {
        el.select();
        cy.animate({ center: { eles: el } }, { duration: 150 });
      }
    },
    destroy() { cy.destroy(); },
  };
}

export function legend() {
  return h('ul', { class: 'legend', 'aria-label': 'Legend' },
    h('li', null, h('span', { class: 'swatch direct' }), 'direct (value flows)'),
    h('li', null, h('span', { class: 'swatch indirect' }), 'indirect (join, filter, group by)'),
    h('li', null, h('span', { class: 'swatch masking' }), 'masking step'),
    h('li', null, h('span', { class: 'swatch redacted' }), 'hidden from you'),
    h('li', null, h('span', { class: 'swatch start' }), 'where you started'));
}
