// Starts GraphiQL on the page served at /t/{tenant}/graphql (development only). A static
// file rather than an inline script, so the page's Content-Security-Policy needs no
// 'unsafe-inline' for scripts. Queries go to the page's own address as plain JSON POSTs.
(function () {
  "use strict";
  var endpoint = window.location.origin + window.location.pathname;
  var subscriptionUrl = endpoint.replace(/^http/, "ws");
  var fetcher = GraphiQL.createFetcher({ url: endpoint, subscriptionUrl: subscriptionUrl });
  var example = "# Guichet : " + window.location.pathname + "\n{\n  tenant {\n    slug\n    name\n  }\n}\n";
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: example,
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
      inputValueDeprecation: true,
    })
  );
})();
