// @ts-check
/** @type {import('@docusaurus/plugin-content-docs').SidebarsConfig} */
module.exports = {
  guides: [
    'index',
    {
      type: 'category',
      label: 'Guides',
      collapsed: false,
      items: [
        'guides/demarrage',
        'guides/appariement',
        'guides/mesures',
        'guides/agenda',
        'guides/documents',
        'guides/client',
        'guides/cli',
        'guides/sandbox',
        'guides/referencement',
        'guides/mise-a-jour',
      ],
    },
  ],
  // written by `npm run codegen` with the reference pages: profiles grouped by API
  reference: require('./docs/reference/_sidebar.json'),
};
