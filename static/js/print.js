// 打印: buttons marked data-print open the browser's print dialog (the CSP forbids onclick="window.print()").
// The page's print stylesheet (kaohe.css, .kaohe-print) hides navigation, buttons and forms.
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var button = e.target instanceof Element ? e.target.closest("[data-print]") : null;
    if (button) {
      e.preventDefault();
      window.print();
    }
  });
})();
