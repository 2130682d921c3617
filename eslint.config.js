// ESLint: correctness rules for the TypeScript (typescript-eslint's recommended set) and the
// browser code of the HTML report; layout is Prettier's (eslint-config-prettier turns off the
// rules that would disagree with it; max-len stays, for what Prettier leaves long).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'fixtures/', 'src/report/html/client.generated.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { languageOptions: { globals: globals.node } },
  prettier,
  {
    rules: {
      // `_name` marks a parameter a signature needs and the body does not.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Control characters are matched on purpose: escaping names, reading terminal sequences.
      'no-control-regex': 'off',
      // Comments and strings that Prettier does not wrap must stay readable too.
      'max-len': ['error', { code: 120, ignoreUrls: true }],
    },
  },
  {
    // A test's expected text is what the user sees, kept on one line so that a search for a
    // message finds its test; long titles name the Go fact under test.
    files: ['test/**/*.ts'],
    rules: {
      'max-len': [
        'error',
        { code: 120, ignoreUrls: true, ignoreRegExpLiterals: true, ignoreStrings: true, ignoreTemplateLiterals: true },
      ],
    },
  },
  {
    // The report's browser scripts share one function scope (scripts/bundle-client.mjs joins them),
    // so their names cross files: tsc checks them (tsconfig.client.json, with globals.d.ts).
    files: ['src/report/html/client/**/*.js'],
    languageOptions: { sourceType: 'script', globals: globals.browser },
    rules: { 'no-undef': 'off', 'no-redeclare': 'off', '@typescript-eslint/no-unused-vars': 'off' },
  },
);
