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
// "删除此行" in an editable grid: the row goes (the last row is only emptied); nothing is saved until 保存.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-remove-row]");
  if (!button) return;
  var row = button.closest("tr");
  var body = row.parentNode;
  if (body.querySelectorAll("tr").length > 1) {
    var next = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    next.querySelector("input").focus();
  } else {
    row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
    row.querySelectorAll(".field-error, .provider-hint").forEach(function (e) { e.textContent = ""; });
    row.querySelector("input").focus();
  }
});
// Destructive actions ask first. data-confirm-when="<checkbox name>": only when that box is ticked.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var message = form.getAttribute("data-confirm");
  var when = form.getAttribute("data-confirm-when");
  if (when && !(form.elements[when] && form.elements[when].checked)) message = null;
  if (message && !window.confirm(message)) event.preventDefault();
});
// "Already provided by": when an item name is entered, ask which other units already share it.
document.addEventListener("change", function (event) {
  var input = event.target;
  var table = input.closest("[data-provider-lookup]");
  if (!table || (input.name !== "item_name" && input.name !== "item_type" && input.name !== "item_length")) return;
  var row = input.closest("tr");
  var name = row.querySelector("[name=item_name]").value.trim();
  var hint = row.querySelector(".provider-hint");
  if (!hint) return;
  hint.textContent = "";
  if (!name) return;
  var params = new URLSearchParams({ name: name, unit: table.getAttribute("data-unit") });
  var type = row.querySelector("[name=item_type]").value.trim();
  var length = row.querySelector("[name=item_length]").value.trim();
  if (type) params.set("data_type", type);
  if (/^\d+$/.test(length)) params.set("data_length", length);
  fetch(table.getAttribute("data-provider-lookup") + "?" + params.toString())
    .then(function (response) { return response.json(); })
    .then(function (body) {
      if (!body.success || !body.result.providers.length) return;
      var first = body.result.providers[0];
      var how = first.sharing_method_label && first.sharing_type_label ?
        "以" + first.sharing_method_label + "方式" + first.sharing_type_label : "采集";
      hint.textContent = "该信息项已由" + (first.authority ? "权威来源单位" : "") + first.unit + "（" + first.system +
        "·" + first.resource + "）" + how + "，请优先申请共享，避免重复采集" +
        (body.result.provider_count > 1 ? "（另有 " + (body.result.provider_count - 1) + " 个提供方）" : "") + "。";
    })
    .catch(function () { /* the hint is advisory; saving still works */ });
});
// Pickers by name (_forms.html picker): a filter box above the select; long lists ask name_lookup for more;
// a picker tied to a unit select reloads its names when the unit changes.
(function () {
  function lookup(select, q, replace) {
    if (!select.getAttribute("data-lookup")) return Promise.resolve();  // the list is already complete
    var params = new URLSearchParams({ kind: select.getAttribute("data-kind"), q: q, limit: "100" });
    var unit = select.getAttribute("data-unit");
    if (unit) params.set("unit", unit);
    return fetch(select.getAttribute("data-lookup") + "?" + params.toString())
      .then(function (response) { return response.json(); })
      .then(function (body) {
        if (!body.success) return;
        if (replace) {
          Array.prototype.slice.call(select.options).forEach(function (o) { if (o.value && !o.selected) o.remove(); });
        }
        var have = {};
        Array.prototype.forEach.call(select.options, function (o) { have[o.value] = true; });
        body.result.results.forEach(function (r) {
          if (have[String(r.id)]) return;
          var option = new Option(r.label + (r.hint && !select.getAttribute("data-unit") ? "（" + r.hint + "）" : ""), r.id);
          select.add(option);
        });
      })
      .catch(function () { /* the names already listed still work */ });
  }
  // Every word typed must appear in the option's name; a multiple choice keeps its chosen options in view,
  // a single choice moves to the first name that fits when its own is filtered away.
  function filter(select, text) {
    var words = text.trim().toLowerCase().split(/\s+/).filter(Boolean);
    var first = null;
    Array.prototype.forEach.call(select.options, function (o) {
      var name = o.text.toLowerCase();
      o.hidden = !!o.value && !(select.multiple && o.selected) &&
        !words.every(function (w) { return name.indexOf(w) >= 0; });
      if (!o.hidden && o.value && !first) first = o;
    });
    if (!select.multiple && words.length && first) {
      var chosen = select.options[select.selectedIndex];
      if (!chosen || chosen.hidden || !chosen.value) first.selected = true;
    }
  }
  document.querySelectorAll("select[data-picker]").forEach(function (select) {
    var box = document.getElementById(select.id + "-filter");
    var timer = null;
    if (box) {
      box.hidden = false;
      box.addEventListener("input", function () {
        filter(select, box.value);
        clearTimeout(timer);
        if (box.value.trim()) timer = setTimeout(function () {
          lookup(select, box.value.trim(), false).then(function () { filter(select, box.value); });
        }, 250);
      });
    }
    var source = select.getAttribute("data-unit-source");
    if (source && document.getElementById(source)) {
      document.getElementById(source).addEventListener("change", function (event) {
        select.setAttribute("data-unit", event.target.value);
        Array.prototype.slice.call(select.options).forEach(function (o) { if (o.value) o.remove(); });
        lookup(select, "", true);
      });
    }
  });
})();
// "Select all" for bulk forms: <input type="checkbox" data-select-all="NAME"> ticks every box named NAME.
document.addEventListener("change", function (event) {
  var box = event.target;
  var name = box.getAttribute && box.getAttribute("data-select-all");
  if (!name) return;
  box.form.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (b) { b.checked = box.checked; });
});
// A background job's status page (job.html): poll its JSON and update the bar; reload when it ends,
// so the server renders the result. Without JavaScript the page's <noscript> meta refresh does this.
(function () {
  var box = document.querySelector("[data-job-status]");
  if (!box || box.getAttribute("data-job-state") !== "running") return;
  var url = box.getAttribute("data-job-status");
  function set(id, text) { var el = document.getElementById(id); if (el) el.textContent = text; }
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (!job) { window.setTimeout(poll, 3000); return; }
        if (job.finished) { window.location.reload(); return; }
        set("job-state", job.state_label);
        set("job-label", job.label || "等待开始");
        set("job-done", job.done);
        set("job-total", job.total ? job.total : "—");
        set("job-percent", job.percent);
        set("job-note", job.note);
        var bar = document.getElementById("job-bar");
        bar.value = job.percent;
        bar.textContent = job.percent + "%";
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
