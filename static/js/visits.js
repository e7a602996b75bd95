// Log a visit: "this is the same matter" marks an entry row as a duplicate of an earlier entry
// (R11, one matter one record); "not the same" undoes it. Without JavaScript the similar entries
// are not shown at all, and the form works the same.
document.addEventListener("click", (event) => {
  const same = event.target.closest("[data-same-matter]");
  const unlink = event.target.closest("[data-unlink]");
  const row = same ? same.dataset.row : unlink ? unlink.dataset.unlink : null;
  if (!row) return;
  const input = document.getElementById(`id_${row}-duplicate_of`);
  const note = document.getElementById(`${row}-linked`);
  if (!input || !note) return;
  input.value = same ? same.dataset.sameMatter : "";
  note.querySelector("[data-number]").textContent = same ? same.dataset.number : "";
  note.hidden = !same;
});
