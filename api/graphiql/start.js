// GraphiQL for Hongyan's API, from files in the binary: queries and mutations over
// POST /graphql, subscriptions over /graphql/ws. Send `Authorization: Bearer …` in the
// headers pane after signing in (the first example).
(function () {
  var scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  var fetcher = GraphiQL.createFetcher({
    url: '/graphql',
    subscriptionUrl: scheme + '//' + location.host + '/graphql/ws',
  });
  var examples = [
    '# 鸿雁 GraphQL。先登录，把 accessToken 填进下方 Headers：{"Authorization": "Bearer …"}',
    '',
    '# 读者登录',
    'mutation ReaderLogin {',
    '  loginWithCard(cardNumber: "20250001", pin: "123456") { accessToken refreshToken expiresIn }',
    '}',
    '',
    '# 找书',
    'query FindBooks {',
    '  searchBooks(query: "三体", first: 5) {',
    '    totalCount',
    '    edges { node { id title authors availableCopies availability { branch { name } available } } }',
    '  }',
    '}',
    '',
    '# 我的借阅',
    'query MyLending {',
    '  myRequests(first: 10) { edges { node { id status deliveryMethod book { title } pickupCode } } }',
    '  myLoans(first: 10) { edges { node { id dueAt book { title } } } }',
    '}',
    '',
    '# 馆员登录',
    'mutation StaffLogin {',
    '  staffLogin(username: "picker", password: "hongyan-demo") { accessToken }',
    '}',
    '',
    '# 拣书单',
    'query PickingList($branchId: ID!) {',
    '  pickingList(branchId: $branchId) { id callNumber item { barcode } book { title } }',
    '}',
    '',
  ].join('\n');
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: examples, defaultEditorToolsVisibility: true }),
  );
})();
