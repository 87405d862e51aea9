// Resumable uploads (progressive enhancement: without this file the forms post the file itself).
// A form with data-upload-service sends its chosen file first to the console's tus proxy /uploads/{service}
// (tus-js-client: 5 MB chunks, retried, resumed after a page reload from the fingerprint kept in localStorage),
// showing the progress (<progress> and a polite live region), then posts the form with the finished upload's id
// in its hidden upload_id input (the file input disabled, so the file is not sent twice). Refused as an upload
// with a 4xx other than 413 (409: too many unfinished uploads), the form is posted with the file itself.
(function () {
  "use strict";
  var CHUNK_SIZE = 5 * 1024 * 1024;
  var RETRY_DELAYS = [0, 1000, 3000, 5000, 10000];

  function text(holder, name, values) {
    var message = holder.getAttribute("data-msg-" + name) || "";
    Object.keys(values || {}).forEach(function (key) {
      message = message.split("%(" + key + ")s").join(values[key]);
    });
    return message;
  }

  function showError(form, input, holder, message) {
    var main = document.getElementById("main") || document.body;
    var summary = main.querySelector(".error-summary");
    if (!summary) {
      summary = document.createElement("div");
      summary.className = "error-summary";
      summary.setAttribute("role", "alert");
      summary.setAttribute("tabindex", "-1");
      var title = document.createElement("h2");
      title.className = "error-summary__title";
      title.textContent = text(holder, "title");
      summary.appendChild(title);
      var list = document.createElement("ul");
      list.className = "error-summary__list";
      summary.appendChild(list);
      main.insertBefore(summary, main.firstChild);
    }
    var item = document.createElement("li");
    var link = document.createElement("a");
    link.href = "#" + input.id;
    link.textContent = message;
    item.appendChild(link);
    var items = summary.querySelector(".error-summary__list");
    items.textContent = "";
    items.appendChild(item);
    var field = input.closest(".field");
    if (field) {
      field.classList.add("field--error");
      var inline = field.querySelector(".field__error");
      if (!inline) {
        inline = document.createElement("p");
        inline.className = "field__error";
        inline.id = input.id + "-error";
        field.insertBefore(inline, input);
      }
      inline.textContent = message;
      input.setAttribute("aria-invalid", "true");
      var described = (input.getAttribute("aria-describedby") || "").split(" ");
      if (described.indexOf(inline.id) < 0) {
        described.push(inline.id);
        input.setAttribute("aria-describedby", described.join(" ").trim());
      }
    }
    summary.focus();
  }

  function submitWith(form, submitter) {
    if (submitter && submitter.name) {
      var copy = document.createElement("input");
      copy.type = "hidden";
      copy.name = submitter.name;
      copy.value = submitter.value;
      form.appendChild(copy);
    }
    HTMLFormElement.prototype.submit.call(form);
  }

  function start(form, input, submitter) {
    var file = input.files[0];
    var holder = form.querySelector("[data-upload-progress]");
    var progress = holder.querySelector("progress");
    var status = holder.querySelector("[aria-live]");
    var limit = parseInt(input.getAttribute("data-max-bytes") || "0", 10);
    if (limit && file.size > limit) {
      showError(form, input, holder, text(holder, "too-large"));
      return;
    }
    var buttons = form.querySelectorAll("button");
    function busy(on) {
      for (var i = 0; i < buttons.length; i += 1) { buttons[i].disabled = on; }
    }
    var shownStep = -1;
    holder.hidden = false;
    progress.value = 0;
    status.textContent = text(holder, "started", { name: file.name });
    busy(true);
    var token = form.querySelector("input[name=csrf_token]").value;
    var upload = new window.tus.Upload(file, {
      endpoint: window.location.origin + "/uploads/" + form.getAttribute("data-upload-service"),
      chunkSize: CHUNK_SIZE,
      retryDelays: RETRY_DELAYS,
      removeFingerprintOnSuccess: true,
      metadata: { filename: file.name, filetype: file.type || "application/octet-stream" },
      headers: { "X-CSRF-Token": token },
      onProgress: function (sent, total) {
        var percent = total ? Math.floor((sent / total) * 100) : 0;
        progress.value = percent;
        var step = Math.floor(percent / 10);
        if (step !== shownStep) {  // the live region speaks every 10 %, not at every chunk
          shownStep = step;
          status.textContent = text(holder, "progress", { percent: String(percent) });
        }
      },
      onSuccess: function () {
        var parts = upload.url.replace(/\/+$/, "").split("/");
        form.querySelector("input[name=upload_id]").value = parts[parts.length - 1];
        progress.value = 100;
        status.textContent = text(holder, "done");
        input.disabled = true;
        submitWith(form, submitter);
      },
      onError: function (error) {
        busy(false);
        holder.hidden = true;
        var answer = error && error.originalResponse;
        var code = answer ? answer.getStatus() : 0;
        if (code >= 400 && code < 500 && code !== 413) {
          // refused as a resumable upload (409: too many unfinished uploads...): the form posts the file itself
          input.disabled = false;  // (an upload_id kept from before is deleted by the console: the file wins)
          submitWith(form, submitter);
          return;
        }
        showError(form, input, holder, text(holder, code === 413 ? "too-large" : "failed"));
      }
    });
    upload.findPreviousUploads().then(function (previous) {
      if (previous.length) { upload.resumeFromPreviousUpload(previous[0]); }
      upload.start();
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-upload-service")) { return; }
    if (!window.tus || !window.tus.isSupported || event.defaultPrevented) { return; }
    var submitter = event.submitter;
    // "add another line" and "remove" buttons re-show the form: no upload for them
    if (submitter && submitter.name && (submitter.name === "remove" || /^add_/.test(submitter.value || ""))) { return; }
    var input = form.querySelector("input[type=file]");
    if (!input || input.disabled || !input.files || !input.files.length) { return; }
    event.preventDefault();
    start(form, input, submitter);
  });
})();
