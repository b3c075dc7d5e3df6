/* IKA Records: small enhancements only; every page works without this file.
   - the inbox: drag-and-drop upload with a progress bar and each file's outcome
   - search facets: submit when a box is ticked
   - a country suggestion box that appends to the counterparts list */
(function () {
  "use strict";

  function text(el, value) { el.textContent = value; return el; }

  function uploadOne(form, file, list) {
    return new Promise(function (resolve) {
      var li = document.createElement("li");
      var name = text(document.createElement("span"), file.name + " ");
      var bar = document.createElement("progress");
      bar.max = 100; bar.value = 0;
      li.appendChild(name); li.appendChild(bar); list.appendChild(li);
      var data = new FormData();
      data.append("csrf_token", form.querySelector("input[name=csrf_token]").value);
      data.append("files", file, file.name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("X-Requested-With", "fetch");
      xhr.upload.onprogress = function (e) { if (e.lengthComputable) { bar.value = 100 * e.loaded / e.total; } };
      xhr.onload = function () {
        bar.remove();
        var outcome;
        try { outcome = JSON.parse(xhr.responseText).outcomes[0]; } catch (err) { outcome = null; }
        if (!outcome) {
          li.className = "failed"; text(name, file.name + ": HTTP " + xhr.status);
        } else {
          li.className = outcome.status;
          li.dataset.status = outcome.status;
          var msg = file.name + " — " + outcome.status;
          if (outcome.doc_id) { msg += " " + outcome.doc_id; }
          if (outcome["case"]) { msg += " → " + outcome["case"]; }
          if (outcome.reason) { msg += ": " + outcome.reason; }
          if (outcome.note) { msg += " (" + outcome.note + ")"; }
          if (outcome.message) { msg = file.name + " — " + outcome.message; }  /* in the page's language */
          text(name, msg);
        }
        resolve();
      };
      xhr.onerror = function () { bar.remove(); li.className = "failed"; text(name, file.name + ": " + (form.dataset.networkError || "network error")); resolve(); };
      xhr.send(data);
    });
  }

  function enhanceUpload() {
    var form = document.getElementById("upload-form");
    if (!form || !window.FormData) { return; }
    var input = document.getElementById("upload-files");
    var list = document.getElementById("upload-progress");
    function send(files) {
      var chain = Promise.resolve();
      Array.prototype.forEach.call(files, function (f) {
        chain = chain.then(function () { return uploadOne(form, f, list); });
      });
      chain.then(function () {
        var done = document.createElement("li");
        var link = document.createElement("a");
        link.href = window.location.pathname; text(link, form.dataset.reload || "↻");
        done.appendChild(link); list.appendChild(done);
        form.dataset.finished = String(Number(form.dataset.finished || 0) + files.length);
      });
    }
    form.addEventListener("submit", function (e) {
      if (!input.files.length) { return; }
      e.preventDefault();
      send(input.files);
      input.value = "";
    });
    ["dragenter", "dragover"].forEach(function (t) {
      form.addEventListener(t, function (e) { e.preventDefault(); form.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (t) {
      form.addEventListener(t, function (e) { e.preventDefault(); form.classList.remove("over"); });
    });
    form.addEventListener("drop", function (e) {
      if (e.dataTransfer && e.dataTransfer.files.length) { send(e.dataTransfer.files); }
    });
  }

  function enhanceFacets() {
    document.querySelectorAll("input.autosubmit").forEach(function (box) {
      box.addEventListener("change", function () {
        // one value per facet: ticking one unticks the others of the same facet
        if (box.checked) {
          document.querySelectorAll("input.autosubmit[name='" + box.name + "']").forEach(function (other) {
            if (other !== box) { other.checked = false; }
          });
        }
        box.form.submit();
      });
    });
  }

  function enhanceSuggestions() {
    document.querySelectorAll("input[data-append-to]").forEach(function (input) {
      var target = input.form.querySelector("[name='" + input.dataset.appendTo + "']");
      if (!target) { return; }
      input.addEventListener("change", function () {
        var value = input.value.trim();
        if (!value) { return; }
        target.value = target.value.trim() ? target.value.trim() + ", " + value : value;
        input.value = "";
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhanceUpload(); enhanceFacets(); enhanceSuggestions();
  });
})();
