// Lint: typescript-eslint's type-aware recommended rules over the sources, examples, benchmarks and tests,
// plus the house rules below. `npm run lint` also checks formatting (Prettier) and import cycles (dpdm).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'docs/api/**',
      '**/*.wasm',
      'src/kernels/wasm/build/**',
      'src/kernels/wasm/assembly/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // One error class for user mistakes: ScratchnetError (ShapeError is one). A plain Error is kept for
    // broken invariants only, and its message says so by starting with 'internal:'.
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'NewExpression[callee.name=/^(RangeError|TypeError|SyntaxError)$/]',
          message: 'Throw ScratchnetError (src/errors.ts) for a mistake the user can fix.',
        },
        {
          selector:
            "NewExpression[callee.name='Error']:not([arguments.0.value=/^internal: /]):not([arguments.0.quasis.0.value.raw=/^internal: /])",
          message: "Throw ScratchnetError (src/errors.ts) for a mistake the user can fix; a broken invariant says 'internal: …'.",
        },
      ],
    },
  },
  {
    // Tests read JSON fixtures and pass methods of helper objects around; the `any` they get is checked by
    // the assertions that follow.
    files: ['**/*.test.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
  { files: ['**/*.js', '**/*.mjs', 'vitest.config.ts'], ...tseslint.configs.disableTypeChecked },
);
