-- schema-lint for Neovim 0.11+, in the style of nvim-lspconfig's lsp/*.lua files.
-- Put it at ~/.config/nvim/lsp/schema_lint.lua and call vim.lsp.enable('schema_lint').
-- (docs/neovim.md shows the same file; tests/nvim/test_neovim.py runs it.)

---@type vim.lsp.Config
return {
  cmd = { 'schema-lint', 'lsp' },
  filetypes = { 'python' },
  root_markers = { 'pyproject.toml', 'alembic.ini', '.git' },
  -- Read once at start-up; `settings` below are re-read on workspace/didChangeConfiguration.
  init_options = {},
  settings = {
    schemaLint = {
      enable = true,
      select = {}, -- e.g. { 'SL001' } or { 'junction-missing-unique' }; empty: pyproject.toml's
      ignore = {}, -- added to [tool.schema-lint] ignore
    },
  },
}
