// Accessible names for two of Material's widgets that have a role but no name (axe: aria-dialog-name).
document$.subscribe(() => {
  const search = document.querySelector(".md-search[role=dialog]");
  if (search && !search.hasAttribute("aria-label")) {
    search.setAttribute("aria-label", "Search the book");
  }
});
