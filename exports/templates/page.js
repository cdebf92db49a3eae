/* respgraph page script: reads the view's JSON, draws it with vis-network, wires search,
 * filters and hover cards. Document text only ever reaches the DOM through textContent (or
 * vis-network's innerText for edge titles), never as HTML. */
(function () {
  "use strict";
  var statusElement = document.getElementById("respgraph-status");
  var status = {view: null, drawn: false, nodes: 0, edges: 0, dataNodes: 0, dataEdges: 0, errors: window.respgraphErrors || []};

  function report() {
    status.errors = window.respgraphErrors || [];
    statusElement.textContent = JSON.stringify(status);
    document.body.setAttribute("data-respgraph-nodes", String(status.nodes));
    window.respgraphStatus = status;
    window.respgraphNodeCount = status.nodes;
  }
  window.respgraphReport = report;

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  var data = JSON.parse(document.getElementById("respgraph-data").textContent);

  // a hover card's listed items are indexes into data.strings (each text is written once)
  function hoverCard(tip) {
    var card = element("div", "rg-tip");
    card.appendChild(element("div", "rg-tip-title", tip.title));
    (tip.rows || []).forEach(function (row) {
      var line = element("div", "rg-tip-row");
      line.appendChild(element("span", "rg-tip-key", row[0]));
      var value = element("span", "rg-tip-value");
      if (Array.isArray(row[1])) {
        var list = element("ul");
        row[1].forEach(function (item) { list.appendChild(element("li", null, data.strings[item])); });
        value.appendChild(list);
      } else {
        value.textContent = String(row[1]);
      }
      line.appendChild(value);
      card.appendChild(line);
    });
    if (tip.text) { card.appendChild(element("p", "rg-tip-text", tip.text)); }
    return card;
  }

  status.view = data.view;
  status.dataNodes = data.nodes.length;
  status.dataEdges = data.edges.length;
  var meta = {};
  var nodes = new vis.DataSet(data.nodes.map(function (n) {
    meta[n.id] = n.rg;
    return {id: n.id, x: n.x, y: n.y, label: n.label, shape: n.shape, size: n.size, borderWidth: n.borderWidth,
            color: {background: n.color, border: n.borderWidth > 1 ? "#111111" : n.color,
                    highlight: {background: n.color, border: "#000000"}, hover: {background: n.color, border: "#000000"}},
            font: {size: n.font.size}, title: hoverCard(n.rg.tip)};
  }));
  // an edge names its ends by their place in data.nodes and takes its colour from its kind
  var edges = new vis.DataSet(data.edges.map(function (e, index) {
    var style = data.edgeStyles[e.rg.kind];
    return {id: "e" + index, from: data.nodes[e.from].id, to: data.nodes[e.to].id, width: e.width, dashes: e.dashes,
            color: {color: style.color, highlight: "#000000", hover: style.color, opacity: style.opacity},
            title: e.rg.tip || undefined};
  }));

  var filter = {city: "", topic: "", hidden: {}};
  function visible(item) {
    var m = meta[item.id];
    if (filter.hidden[m.group]) { return false; }
    if (filter.city && m.cities.length && m.cities.indexOf(filter.city) < 0) { return false; }
    if (filter.topic && m.topics !== null && m.topics.indexOf(filter.topic) < 0) { return false; }
    return true;
  }
  var nodeView = new vis.DataView(nodes, {filter: visible});

  var options = {
    autoResize: true,
    physics: false,
    layout: {randomSeed: 1, improvedLayout: false},
    interaction: {hover: true, tooltipDelay: 120, multiselect: true, hideEdgesOnDrag: data.nodes.length > 600,
                  navigationButtons: false, keyboard: false},
    nodes: {font: {face: data.fontFace, color: "#1a1a1a", strokeWidth: 4, strokeColor: "#ffffff"},
            scaling: {label: {enabled: false}}},
    edges: {smooth: false, selectionWidth: 1.5, hoverWidth: 0.5}
  };
  var container = document.getElementById("rg-network");
  var network = new vis.Network(container, {nodes: nodeView, edges: edges}, options);
  window.respgraphNetwork = network;

  var fitted = false;
  network.on("afterDrawing", function () {
    status.drawn = true;
    status.nodes = Object.keys(network.getPositions()).length;
    status.edges = network.body.edgeIndices.length;
    report();
    if (!fitted) {
      fitted = true;
      network.fit({animation: false});
    }
  });

  function refresh() {
    nodeView.refresh();
    runSearch();
  }

  var search = document.getElementById("rg-search");
  var searchCount = document.getElementById("rg-search-count");
  function runSearch() {
    var query = search.value.trim().toLowerCase();
    if (!query) {
      searchCount.textContent = "";
      network.unselectAll();
      return;
    }
    var found = nodeView.getIds().filter(function (id) { return meta[id].search.toLowerCase().indexOf(query) >= 0; });
    searchCount.textContent = found.length + " 个匹配";
    network.selectNodes(found);
    if (found.length) { network.fit({nodes: found, animation: {duration: 300, easingFunction: "easeInOutQuad"}}); }
  }
  search.addEventListener("input", runSearch);

  var citySelect = document.getElementById("rg-city");
  if (citySelect) { citySelect.addEventListener("change", function () { filter.city = citySelect.value; refresh(); }); }
  var topicSelect = document.getElementById("rg-topic");
  if (topicSelect) { topicSelect.addEventListener("change", function () { filter.topic = topicSelect.value; refresh(); }); }
  Array.prototype.forEach.call(document.querySelectorAll("input.rg-kind"), function (box) {
    box.addEventListener("change", function () { filter.hidden[box.value] = !box.checked; refresh(); });
  });
  document.getElementById("rg-fit").addEventListener("click", function () { network.fit({animation: false}); });
  report();
}());
