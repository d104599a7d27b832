// The live plan: which nodes run for the union of all subscriptions, how many subscriptions
// share each, which are this viewer's, and which Triton models are in use and loaded.

export function renderPlan(root, plan, entries, mine) {
  const summary = document.createElement("div");
  summary.className = "summary";
  const nodes = plan.order.length;
  summary.textContent =
    `${plan.subscribers} subscription${plan.subscribers === 1 ? "" : "s"} · ` +
    `${nodes} node${nodes === 1 ? "" : "s"} per frame · ${triton(plan)}`;
  const list = document.createElement("ol");
  for (const name of plan.order) {
    const li = document.createElement("li");
    li.dataset.node = name;
    if (mine.has(name)) li.className = "mine";
    const entry = entries.get(name);
    li.append(name);
    const models = entry?.models?.length ? entry.models : [];
    if (models.length) {
      const tag = document.createElement("span");
      tag.className = "tag triton";
      tag.textContent = `Triton ${models.join(", ")}`;
      li.append(" ", tag);
    } else if (entry && !entry.public) {
      const tag = document.createElement("span");
      tag.className = "tag";
      tag.textContent = "shared step";
      li.append(" ", tag);
    }
    const shared = document.createElement("span");
    shared.className = "shared";
    const n = plan.shared_by?.[name] ?? 0;
    shared.textContent = `×${n}`;
    shared.title = `needed by ${n} subscription${n === 1 ? "" : "s"}; computed once per frame`;
    li.append(shared);
    list.append(li);
  }
  root.replaceChildren(summary, list);
}

function triton(plan) {
  const used = plan.models || [];
  const state = plan.triton;
  if (!state) return used.length ? `Triton: ${used.join(", ")}` : "no Triton models";
  const loaded = state.connected
    ? `loaded: ${state.models_loaded.join(", ") || "none"}`
    : "not connected yet";
  return `Triton in use: ${used.join(", ") || "none"} (${loaded})`;
}
