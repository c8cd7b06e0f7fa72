/* Starts ReDoc on the schema named by #redoc-container (an inline script would break the CSP). */
(function () {
  "use strict";
  var box = document.getElementById("redoc-container");
  Redoc.init(box.getAttribute("data-schema-url"), {
    expandResponses: "200,201",
    pathInMiddlePanel: true
  }, box);
})();
