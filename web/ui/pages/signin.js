// Sign in with a bearer token: checked by GET /api/v1/me before it is kept.
import { describeError, signIn } from '../app.js';
import { h } from '../lib/dom.js';

export async function render(ctx) {
  document.title = 'Sign in · Cadastre';
  const pending = ctx.signInMessage();
  const message = h('p', { class: 'form-error', id: 'signin-error', role: 'alert' }, pending);
  const input = h('input', {
    type: 'password', id: 'token', name: 'token', autocomplete: 'off', spellcheck: 'false',
    required: true, placeholder: 'cad_…', 'aria-describedby': 'token-help signin-error',
  });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h('form', { class: 'signin card', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Sign in to Cadastre'),
    h('label', { for: 'token' }, 'Access token'),
    input,
    h('p', { class: 'help', id: 'token-help' },
      'Paste a bearer token. The first admin\'s token is in DATA_DIR/admin.token; ',
      'an admin creates tokens for others (POST /api/v1/principals/{name}/tokens). ',
      'It is kept in this tab only and forgotten when you sign out or close it.'),
    message,
    button);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = input.value.trim();
    if (!value) return;
    button.disabled = true;
    message.textContent = '';
    try {
      await signIn(value);
      const next = ctx.route.query.get('next');
      ctx.navigate(next && next.startsWith('#/') && !next.startsWith('#/signin') ? next : '#/search');
    } catch (error) {
      message.textContent = error.status === 401
        ? 'That token was refused: it is unknown, expired or revoked.'
        : describeError(error);
      input.select();
    } finally {
      button.disabled = false;
    }
  });
  ctx.main.append(h('div', { class: 'signin-wrap' }, form));
  input.focus();
}
