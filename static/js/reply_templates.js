// The entry page's reply templates (the knowledge base): "Insert" puts a template's answer into
// the reply or plan (at the cursor once the user has been in the box, else at the end), shows the
// policy it rests on, and names the template in the form's hidden field, so that the saved reply
// counts one use of it. Emptying the box forgets the template. The list folds behind one button
// (on a phone it would push the reply box far down). Without JavaScript the answers are there to
// read and copy, and the buttons stay hidden.
(() => {
  const pickers = document.querySelectorAll("[data-reply-templates]");

  const partsOf = (picker) => ({
    box: document.getElementById(picker.dataset.target),
    field: document.getElementById(picker.dataset.field),
    chosen: picker.nextElementSibling?.matches("[data-template-chosen]")
      ? picker.nextElementSibling
      : null,
    status: picker.parentElement.querySelector("[data-template-status]"),
  });

  const show = (chosen, title, policy) => {
    if (!chosen) return;
    chosen.querySelector("[data-chosen-title]").textContent = title;
    chosen.querySelector("[data-chosen-policy]").textContent = policy;
    chosen.querySelector("[data-chosen-policy-row]").hidden = !policy;
    chosen.hidden = !title;
  };

  const insert = (box, text) => {
    if (box.dataset.touched) {
      box.setRangeText(text, box.selectionStart, box.selectionEnd, "end");
    } else {
      const before = box.value.replace(/\s+$/, "");
      box.value = before ? `${before}\n${text}` : text;
      box.setSelectionRange(box.value.length, box.value.length);
    }
    box.rows = Math.max(box.rows, 8); // room to read and edit what came in
    box.dispatchEvent(new Event("input", { bubbles: true }));
  };

  const fold = (picker, open) => {
    picker.querySelector("[data-template-list]").hidden = !open;
    picker.querySelector("[data-template-toggle]").setAttribute("aria-expanded", String(open));
  };

  pickers.forEach((picker) => {
    const { box, field, chosen, status } = partsOf(picker);
    if (!box || !field) return;
    picker.querySelectorAll("[data-insert-template], [data-template-toggle]").forEach((button) => {
      button.hidden = false;
    });
    fold(picker, false);
    for (const kind of ["focus", "keyup", "mouseup", "select"]) {
      box.addEventListener(kind, () => {
        box.dataset.touched = "1";
      });
    }
    box.addEventListener("input", () => {
      if (!box.value.trim() && field.value) {
        field.value = "";
        show(chosen, "", "");
      }
    });
    picker.addEventListener("click", (event) => {
      const toggle = event.target.closest("[data-template-toggle]");
      if (toggle) {
        fold(picker, toggle.getAttribute("aria-expanded") !== "true");
        return;
      }
      const button = event.target.closest("[data-insert-template]");
      if (!button) return;
      const item = button.closest("[data-template-id]");
      const title = item.querySelector("[id^=template-]").textContent.trim();
      const policy = item.querySelector("[data-template-policy] .ledger-template-text");
      insert(box, item.querySelector("[data-template-text]").textContent.trim());
      field.value = item.dataset.templateId;
      show(chosen, title, policy ? policy.textContent.trim() : "");
      if (status) status.textContent = `${title}: ${picker.dataset.inserted}`;
      fold(picker, false);
      box.focus();
    });
  });
})();
