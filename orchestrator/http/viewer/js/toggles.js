// The catalog as toggles. A viewer subscribes to what is ticked plus the public
// prerequisites of those (computed anyway, so they cost only bandwidth): the boxes that an
// expression or a dwell time is drawn on. Those show as ticked "via" what needs them.

export class Toggles {
  constructor(root, entries, selected, { closure, colorOf, onChange }) {
    this.root = root;
    this.entries = entries;
    this.selected = new Set(selected);
    this.closure = closure;
    this.colorOf = colorOf;
    this.onChange = onChange;
    this.render();
  }

  /** The features to subscribe to: the ticked ones and their public prerequisites. */
  subscription() {
    const out = new Set(this.selected);
    for (const name of this.selected) {
      for (const dep of this.closure(name)) if (this.entries.get(dep)?.public) out.add(dep);
    }
    return [...out].sort();
  }

  implied() {
    const via = new Map();
    for (const name of [...this.selected].sort()) {
      for (const dep of this.closure(name)) {
        const implied = dep !== name && this.entries.get(dep)?.public;
        if (implied && !this.selected.has(dep) && !via.has(dep)) via.set(dep, name);
      }
    }
    return via;
  }

  render() {
    const via = this.implied();
    const items = [...this.entries.values()]
      .filter((e) => e.public)
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((e) => this.item(e, via.get(e.name)));
    this.root.replaceChildren(...items);
  }

  item(entry, neededBy) {
    const li = document.createElement("li");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.id = `toggle-${entry.name.replaceAll(".", "-")}`;
    box.dataset.feature = entry.name;
    box.checked = this.selected.has(entry.name) || Boolean(neededBy);
    box.disabled = Boolean(neededBy);
    box.addEventListener("change", () => {
      if (box.checked) this.selected.add(entry.name);
      else this.selected.delete(entry.name);
      this.render();
      this.onChange(this.subscription(), [...this.selected].sort());
    });
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = this.colorOf(entry.name);
    const label = document.createElement("label");
    label.htmlFor = box.id;
    label.textContent = entry.name;
    label.title = `${entry.description}\nJSON: ${entry.schema}`;
    li.append(box, swatch, label);
    if (neededBy) {
      const note = document.createElement("span");
      note.className = "via";
      note.textContent = `via ${neededBy}`;
      li.append(note);
    }
    if (entry.runs_in === "triton") {
      const tag = document.createElement("span");
      tag.className = "tag triton";
      tag.textContent = "Triton";
      li.append(tag);
    }
    return li;
  }
}
