import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Router, provideRouter } from '@angular/router';
import { AgentView } from '../core/api.types';
import { AuthService, SESSION_STORAGE_KEY } from '../core/auth.service';
import { BlankComponent } from '../../testing/blank.component';
import { TeamComponent } from './team.component';

function agent(overrides: Partial<AgentView>): AgentView {
  return {
    id: 'x',
    email: 'x@example.com',
    name: 'X',
    initials: 'X',
    role: 'agent',
    active: true,
    created_at: '2024-01-01T00:00:00.000Z',
    ...overrides,
  };
}

const ME = agent({
  id: 'me-1',
  email: 'admin@example.com',
  name: 'Ada Admin',
  initials: 'AA',
  role: 'admin',
});
const ANA = agent({ id: 'ana-1', email: 'ana@example.com', name: 'Ana Lima', initials: 'AL' });
const BEN = agent({
  id: 'ben-1',
  email: 'ben@example.com',
  name: 'Ben',
  initials: 'B',
  active: false,
});

describe('TeamComponent', () => {
  let fixture: ComponentFixture<TeamComponent>;
  let backend: HttpTestingController;
  let el: HTMLElement;

  beforeEach(() => {
    sessionStorage.setItem(
      SESSION_STORAGE_KEY,
      JSON.stringify({
        token: 't',
        expiresAt: Date.now() + 60_000,
        admin: { id: ME.id, email: ME.email, name: ME.name, role: 'admin' },
      }),
    );
    TestBed.configureTestingModule({
      imports: [TeamComponent],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([{ path: '**', component: BlankComponent }]),
      ],
    });
    backend = TestBed.inject(HttpTestingController);
  });

  afterEach(() => {
    backend.verify();
    sessionStorage.clear();
  });

  async function settle(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve));
    await fixture.whenStable();
  }

  async function render(team: AgentView[] = [ME, ANA, BEN]): Promise<void> {
    fixture = TestBed.createComponent(TeamComponent);
    el = fixture.nativeElement as HTMLElement;
    fixture.detectChanges();
    backend.expectOne({ method: 'GET', url: '/api/admin/agents' }).flush(team);
    await settle();
  }

  const squash = (node: Element | null | undefined): string =>
    (node?.textContent ?? '').replace(/\s+/g, ' ').trim();
  const row = (id: string): HTMLElement =>
    el.querySelector<HTMLElement>(`tr[data-agent-id="${id}"]`)!;
  /** Each row as read: "initials name (you)", email, role, status. */
  const rows = (): string[][] =>
    Array.from(el.querySelectorAll('tbody tr[data-agent-id]')).map((tr) => [
      ['.avatar', '.name', '.you']
        .map((part) => tr.querySelector(part))
        .filter((node) => node !== null)
        .map(squash)
        .join(' '),
      ...Array.from(tr.querySelectorAll('td'))
        .slice(1, 4)
        .map((td) => squash(td)),
    ]);
  const alert = (): string => squash(el.querySelector('[role=alert]'));
  const status = (): string => squash(el.querySelector('.notice[role=status]'));

  function type(selector: string, value: string): void {
    const input = el.querySelector<HTMLInputElement | HTMLSelectElement>(selector)!;
    input.value = value;
    input.dispatchEvent(new Event(input instanceof HTMLSelectElement ? 'change' : 'input'));
  }

  async function click(selector: string, within: ParentNode = el): Promise<void> {
    within.querySelector<HTMLButtonElement>(selector)!.click();
    await settle();
  }

  async function submit(selector: string): Promise<void> {
    el.querySelector(selector)!.dispatchEvent(new Event('submit', { cancelable: true }));
    await settle();
  }

  it('lists the team: name with initials, email, role and whether they are active', async () => {
    await render();
    expect(rows()).toEqual([
      ['AA Ada Admin (you)', 'admin@example.com', 'Admin', 'Active'],
      ['AL Ana Lima', 'ana@example.com', 'Agent', 'Active'],
      ['B Ben', 'ben@example.com', 'Agent', 'Deactivated'],
    ]);
    expect(row(BEN.id).getAttribute('data-active')).toBe('false');
    expect(row(ANA.id).querySelector('.deactivate')).not.toBeNull();
    expect(row(BEN.id).querySelector('.reactivate')).not.toBeNull();
    expect(squash(row(ANA.id).querySelector('.edit'))).toBe('Edit Ana Lima');
  });

  it('adds an agent without a password and shows the one-time link once, with a copy button', async () => {
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText } });
    try {
      await render();
      await click('.add-toggle');
      type('.add-form input[name=email]', ' cleo@example.com ');
      type('.add-form input[name=name]', 'Cleo Park');
      type('.add-form select[name=role]', 'admin');
      await submit('.add-form');
      const req = backend.expectOne({ method: 'POST', url: '/api/admin/agents' });
      expect(req.request.body).toEqual({
        email: 'cleo@example.com',
        name: 'Cleo Park',
        role: 'admin',
      });
      const url = 'http://localhost:3000/admin/set-password?token=abc123';
      req.flush({
        agent: agent({
          id: 'cleo-1',
          email: 'cleo@example.com',
          name: 'Cleo Park',
          initials: 'CP',
          role: 'admin',
        }),
        set_password_url: url,
      });
      await settle();

      expect(el.querySelector('.add-form')).toBeNull();
      expect(rows().map((r) => r[0])).toEqual([
        'AA Ada Admin (you)',
        'AL Ana Lima',
        'B Ben',
        'CP Cleo Park',
      ]);
      const panel = el.querySelector('app-one-time-link')!;
      expect(squash(panel.querySelector('h2'))).toBe('Set-password link for Cleo Park');
      expect(squash(panel)).toContain("It won't be shown again.");
      expect(panel.querySelector<HTMLInputElement>('input.url')!.value).toBe(url);
      expect(document.activeElement).toBe(panel.querySelector('input.url'));

      await click('.copy-button', panel);
      expect(writeText).toHaveBeenCalledWith(url);
      expect(squash(panel.querySelector('[role=status]'))).toBe('Copied to the clipboard.');

      await click('.done', panel);
      expect(el.querySelector('app-one-time-link')).toBeNull();
      expect(el.textContent).not.toContain(url);
    } finally {
      delete (navigator as { clipboard?: unknown }).clipboard;
    }
  });

  it('selects the link for copying by hand when there is no clipboard', async () => {
    await render();
    await click('.add-toggle');
    type('.add-form input[name=email]', 'dan@example.com');
    type('.add-form input[name=name]', 'Dan');
    await submit('.add-form');
    backend.expectOne('/api/admin/agents').flush({
      agent: agent({ id: 'dan-1', name: 'Dan' }),
      set_password_url: 'http://localhost/admin/set-password?token=t',
    });
    await settle();
    await click('app-one-time-link .copy-button');
    expect(squash(el.querySelector('app-one-time-link [role=status]'))).toContain(
      'the link is selected',
    );
  });

  it('adds an agent with a password: no link, a note that they can sign in', async () => {
    await render();
    await click('.add-toggle');
    type('.add-form input[name=email]', 'eve@example.com');
    type('.add-form input[name=name]', 'Eve');
    type('.add-form input[name=password]', 'a long enough password');
    await submit('.add-form');
    const req = backend.expectOne('/api/admin/agents');
    expect(req.request.body).toEqual({
      email: 'eve@example.com',
      name: 'Eve',
      role: 'agent',
      password: 'a long enough password',
    });
    req.flush({ agent: agent({ id: 'eve-1', name: 'Eve', email: 'eve@example.com' }) });
    await settle();
    expect(el.querySelector('app-one-time-link')).toBeNull();
    expect(status()).toBe('Eve is added and can sign in now.');
  });

  it("shows the server's refusal as it words it, and keeps the form", async () => {
    await render();
    await click('.add-toggle');
    type('.add-form input[name=email]', 'weak@example.com');
    type('.add-form input[name=name]', 'Weak');
    type('.add-form input[name=password]', 'short');
    await submit('.add-form');
    backend.expectOne('/api/admin/agents').flush(
      {
        statusCode: 400,
        message: ['password must be at least 12 characters'],
        error: 'Bad Request',
      },
      { status: 400, statusText: 'Bad Request' },
    );
    await settle();
    expect(alert()).toBe('Password must be at least 12 characters.');
    expect(el.querySelector('.add-form')).not.toBeNull();
    expect(rows()).toHaveLength(3);

    // Nothing is sent without an email and a name.
    type('.add-form input[name=email]', '');
    await submit('.add-form');
    backend.expectNone('/api/admin/agents');
    expect(alert()).toBe('Enter the new agent’s email and name.');
  });

  it('renames an agent and changes their role', async () => {
    await render();
    await click('.edit', row(ANA.id));
    expect(document.activeElement).toBe(row(ANA.id).querySelector('input.edit-name'));
    type(`#name-${ANA.id}`, 'Ana Maria Lima');
    type(`#role-${ANA.id}`, 'admin');
    await click('.save', row(ANA.id));
    const req = backend.expectOne({ method: 'PATCH', url: `/api/admin/agents/${ANA.id}` });
    expect(req.request.body).toEqual({ name: 'Ana Maria Lima', role: 'admin' });
    req.flush({ ...ANA, name: 'Ana Maria Lima', initials: 'AL', role: 'admin' });
    await settle();
    expect(rows()[1]).toEqual(['AL Ana Maria Lima', 'ana@example.com', 'Admin', 'Active']);
    expect(status()).toBe('Saved Ana Maria Lima.');
  });

  it('shows the 409 when the last active admin would be demoted, and changes nothing', async () => {
    await render();
    await click('.edit', row(ME.id));
    type(`#role-${ME.id}`, 'agent');
    await click('.save', row(ME.id));
    const req = backend.expectOne(`/api/admin/agents/${ME.id}`);
    expect(req.request.body).toEqual({ role: 'agent' });
    req.flush(
      {
        statusCode: 409,
        message: 'The last active admin cannot be demoted or deactivated',
        error: 'Conflict',
      },
      { status: 409, statusText: 'Conflict' },
    );
    await settle();
    expect(alert()).toBe('The last active admin cannot be demoted or deactivated.');
    expect(TestBed.inject(AuthService).isAdmin()).toBe(true);
  });

  it('leaves the page when the admin demotes themselves', async () => {
    const navigate = vi.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
    await render();
    await click('.edit', row(ME.id));
    type(`#role-${ME.id}`, 'agent');
    await click('.save', row(ME.id));
    backend.expectOne(`/api/admin/agents/${ME.id}`).flush({ ...ME, role: 'agent' });
    await settle();
    expect(TestBed.inject(AuthService).isAdmin()).toBe(false);
    expect(navigate).toHaveBeenCalledWith(['/chats']);
  });

  it('deactivates only after confirmation, and reactivates likewise', async () => {
    await render();
    await click('.deactivate', row(ANA.id));
    backend.expectNone(`/api/admin/agents/${ANA.id}/deactivate`);
    const confirm = el.querySelector('.confirm')!;
    expect(squash(confirm)).toContain('Deactivate Ana Lima? They are signed out at once');
    expect(document.activeElement).toBe(confirm.querySelector('.danger-button'));

    // Cancel sends nothing.
    await click('.secondary', confirm);
    expect(el.querySelector('.confirm')).toBeNull();

    await click('.deactivate', row(ANA.id));
    await click('.confirm .danger-button');
    backend
      .expectOne({ method: 'POST', url: `/api/admin/agents/${ANA.id}/deactivate` })
      .flush({ ...ANA, active: false });
    await settle();
    expect(rows()[1][3]).toBe('Deactivated');
    expect(status()).toBe('Ana Lima is deactivated and signed out everywhere.');

    await click('.reactivate', row(BEN.id));
    expect(squash(el.querySelector('.confirm'))).toContain(
      'Reactivate Ben? They can sign in again.',
    );
    await click('.confirm .primary');
    backend
      .expectOne({ method: 'POST', url: `/api/admin/agents/${BEN.id}/reactivate` })
      .flush({ ...BEN, active: true });
    await settle();
    expect(rows()[2][3]).toBe('Active');
  });

  it('resets a password to a one-time link, or to a password the admin sets', async () => {
    await render();
    await click('.reset', row(ANA.id));
    expect(document.activeElement).toBe(el.querySelector(`#reset-${ANA.id}`));
    await submit('.reset-form');
    const linkReq = backend.expectOne({
      method: 'POST',
      url: `/api/admin/agents/${ANA.id}/password`,
    });
    expect(linkReq.request.body).toEqual({});
    linkReq.flush({ set_password_url: 'http://localhost/admin/set-password?token=r1' });
    await settle();
    expect(el.querySelector<HTMLInputElement>('app-one-time-link input.url')!.value).toBe(
      'http://localhost/admin/set-password?token=r1',
    );
    expect(el.querySelector('.reset-form')).toBeNull();

    await click('app-one-time-link .done');
    await click('.reset', row(BEN.id));
    type(`#reset-${BEN.id}`, 'another long password');
    await submit('.reset-form');
    const setReq = backend.expectOne(`/api/admin/agents/${BEN.id}/password`);
    expect(setReq.request.body).toEqual({ password: 'another long password' });
    setReq.flush({});
    await settle();
    expect(el.querySelector('app-one-time-link')).toBeNull();
    expect(status()).toBe('Ben has a new password; their sessions have ended.');
  });

  it('says so when the server refuses the list (not an admin any more)', async () => {
    fixture = TestBed.createComponent(TeamComponent);
    el = fixture.nativeElement as HTMLElement;
    fixture.detectChanges();
    backend
      .expectOne('/api/admin/agents')
      .flush(
        { statusCode: 403, message: 'Only admins may do this', error: 'Forbidden' },
        { status: 403, statusText: 'Forbidden' },
      );
    await settle();
    expect(alert()).toBe('Only admins may do this.');
    expect(rows()).toEqual([]);
  });

  it('renders names as text', async () => {
    await render([ME, agent({ id: 'm-1', name: '<img src=x onerror=alert(1)>', initials: '<' })]);
    expect(squash(row('m-1').querySelector('.name'))).toBe('<img src=x onerror=alert(1)>');
    expect(el.querySelector('tbody img')).toBeNull();
  });
});
