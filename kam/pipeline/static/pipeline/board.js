// The funnel board: drag a card to another column to move the deal.
// The server answers the card as it now stands; a refused or conflicting move comes back
// in its old column with the reason, so the board never shows a move that did not happen.
(function () {
  "use strict";

  var dragged = null;

  function columnOf(el) {
    return el && el.closest ? el.closest("[data-board-column]") : null;
  }

  function headers() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    } catch (e) {
      return {};
    }
  }

  // Forward moves confirm the exit criteria of every stage left (§3.1).
  function confirmExits(board, fromOrder, toOrder) {
    var left = Array.prototype.filter.call(
      board.querySelectorAll("[data-board-column]"),
      function (column) {
        var order = Number(column.dataset.order);
        return order >= fromOrder && order < toOrder;
      }
    );
    var text = left.map(function (column) {
      return column.dataset.stageName + ": " + (column.dataset.exitCriteria || "—");
    }).join("\n");
    if (!window.confirm(board.dataset.exitPrompt + "\n\n" + text)) { return null; }
    return left.map(function (column) { return column.dataset.stageId; });
  }

  function placeCard(id) {
    var card = document.getElementById(id);
    if (!card) { return; }
    var home = document.querySelector(
      '[data-board-column][data-stage-id="' + card.dataset.stageId + '"] [data-cards]'
    );
    if (home && columnOf(card) !== columnOf(home)) { home.insertBefore(card, home.firstChild); }
  }

  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest ? event.target.closest("[data-card]") : null;
    if (!card) { return; }
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.id);
    card.classList.add("opacity-50");
  });

  document.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("opacity-50"); }
    dragged = null;
  });

  document.addEventListener("dragover", function (event) {
    if (dragged && columnOf(event.target)) { event.preventDefault(); }
  });

  document.addEventListener("drop", function (event) {
    var column = columnOf(event.target);
    var card = dragged;
    dragged = null;
    if (!card || !column) { return; }
    event.preventDefault();
    card.classList.remove("opacity-50");
    var from = columnOf(card);
    if (from === column) { return; }
    var board = column.closest("[data-board]");
    var confirmed = [];
    if (Number(column.dataset.order) > Number(from.dataset.order)) {
      confirmed = confirmExits(board, Number(from.dataset.order), Number(column.dataset.order));
      if (confirmed === null) { return; }
    }
    var id = card.id;
    window.htmx.ajax("POST", card.dataset.moveUrl, {
      source: card,
      target: "#" + id,
      swap: "outerHTML",
      headers: headers(),
      values: {
        to_stage: column.dataset.stageId,
        version: card.dataset.version,
        confirmed_exit_stages: confirmed.join(","),
        // The board's filter, so the column heads that come back count what it shows.
        owner: new URLSearchParams(window.location.search).get("owner") || "",
        team: new URLSearchParams(window.location.search).get("team") || ""
      }
    }).then(function () { placeCard(id); });
  });
})();
