// Small progressive enhancements; every page works without them.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-add-row]");
  if (!button) return;
  var body = document.getElementById(button.getAttribute("data-add-row")).querySelector("tbody");
  var last = body.querySelector("tr:last-child");
  var row = last.cloneNode(true);
  row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
  row.querySelectorAll(".field-error").forEach(function (e) { e.remove(); });
  body.appendChild(row);
  row.querySelector("input").focus();
});
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) event.preventDefault();
});
