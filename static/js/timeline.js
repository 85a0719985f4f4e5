// Red-line timeline: show the summary and source of the mark under the pointer or keyboard focus.
(function () {
  "use strict";
  var detail = document.getElementById("timeline-detail");
  var drawings = document.querySelectorAll(".timeline-svg");
  if (!detail || !drawings.length) return;

  function show(mark) {
    var d = mark.dataset;
    detail.textContent = "";
    var head = document.createElement("strong");
    head.textContent = d.date + " — " + d.label + ": ";
    detail.appendChild(head);
    detail.appendChild(document.createTextNode(d.summary + " "));
    if (d.sourceUrl) {
      detail.appendChild(document.createTextNode("Source: "));
      var link = document.createElement("a");
      link.href = d.sourceUrl;
      link.rel = "noopener noreferrer";
      link.textContent = d.sourceName;
      detail.appendChild(link);
    }
    detail.classList.add("active");
  }

  function onEnter(event) {
    var mark = event.target.closest && event.target.closest(".mark");
    if (mark) show(mark);
  }
  drawings.forEach(function (svg) {
    svg.addEventListener("mouseover", onEnter);
    svg.addEventListener("focusin", onEnter);
  });
})();
