// Builds DOM from data with textContent only, never innerHTML: names and messages come from
// the site file and the field, and must not be able to inject markup into the operator page.

/** h('div', { class: 'x', dataset: { id } , onclick }, child, 'text', [more]) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/**
 * Re-renders `container` only when `key` (the data it shows, serialised) changed, so a button
 * is not replaced under the operator's finger on every snapshot.
 */
export function renderIfChanged(container, key, build) {
  if (container.dataset.renderKey === key) return false;
  container.dataset.renderKey = key;
  container.replaceChildren(...[build()].flat().filter(Boolean));
  return true;
}
