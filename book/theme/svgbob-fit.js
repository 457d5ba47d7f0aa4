// Lets the ```bob diagrams scale down on narrow screens.
//
// mdbook-svgbob 0.3.1 writes each diagram as an inline <svg> with a width
// and a height in pixels but no viewBox, inside a <div> of fixed height,
// and forces `svg.svgbob { width: 100% !important; }`. Without a viewBox a
// narrower SVG cannot scale its drawing, so at phone width the right side is
// cut off. This gives every such SVG a viewBox from its own width and height
// and marks it `svgbob-fit`; svgbob-fit.css then draws it at its natural
// width, or narrower when the column is narrower, never wider. Without
// JavaScript the diagrams look as they did before.
(function () {
    "use strict";

    function fit(svg) {
        var width = parseFloat(svg.getAttribute("width"));
        var height = parseFloat(svg.getAttribute("height"));
        if (!(width > 0 && height > 0)) {
            return;
        }
        if (!svg.hasAttribute("viewBox")) {
            svg.setAttribute("viewBox", "0 0 " + width + " " + height);
        }
        svg.style.setProperty("--svgbob-width", width + "px");
        svg.style.setProperty("--svgbob-ratio", width + " / " + height);
        svg.classList.add("svgbob-fit");
        // The wrapper's fixed height would leave a gap below a scaled-down SVG.
        var wrapper = svg.parentElement;
        if (wrapper && wrapper.tagName === "DIV" && wrapper.style.height === height + "px") {
            wrapper.style.height = "";
        }
    }

    function fitAll() {
        var svgs = document.querySelectorAll("svg.svgbob");
        for (var i = 0; i < svgs.length; i++) {
            fit(svgs[i]);
        }
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", fitAll);
    } else {
        fitAll();
    }
})();
