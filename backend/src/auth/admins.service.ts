import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppConfigService } from '../config/app-config.service';
import { Admin, type AgentRole } from './admin.entity';
import { AgentDirectory } from './agent-directory.service';
import { hashPassword, verifyPassword } from './password';

@Injectable()
export class AdminsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminsService.name);

  constructor(
    @InjectRepository(Admin) private readonly admins: Repository<Admin>,
    private readonly config: AppConfigService,
    private readonly directory: AgentDirectory,
  ) {}

  /** The first agent comes from ADMIN_EMAIL / ADMIN_PASSWORD when there is none yet. */
  async onApplicationBootstrap(): Promise<void> {
    if ((await this.admins.count()) > 0) return;
    const email = this.config.get('adminEmail');
    const password = this.config.get('adminPassword');
    if (!email || !password) {
      this.logger.warn('No agent account exists: set ADMIN_EMAIL and ADMIN_PASSWORD, or run npm run admin:create');
      return;
    }
    // The first account administers the others.
    await this.create(email, password, null, { ifMissing: true, role: 'admin' });
    await this.directory.changed();
    this.logger.log(`Created the first agent account ${email}`);
  }

  async create(
    email: string,
    password: string,
    name: string | null,
    opts: { ifMissing?: boolean; role?: AgentRole } = {},
  ): Promise<Admin> {
    const normalized = email.trim().toLowerCase();
    const passwordHash = await hashPassword(password);
    const insert = this.admins
      .createQueryBuilder()
      .insert()
      .values({ email: normalized, passwordHash, name, role: opts.role ?? 'agent' })
      .returning(['id', 'email', 'name']);
    // Several instances may bootstrap at once; the unique email lets one win.
    if (opts.ifMissing) insert.orIgnore();
    await insert.execute();
    return this.admins.findOneByOrFail({ email: normalized });
  }

  /** The agent with this email and password, or null; takes the same time either way. */
  async verify(email: string, password: string): Promise<Admin | null> {
    const admin = await this.admins.findOne({
      where: { email: email.trim().toLowerCase() },
      select: { id: true, email: true, name: true, role: true, deactivatedAt: true, sessionVersion: true, passwordHash: true },
    });
    const ok = await verifyPassword(password, admin?.passwordHash);
    return ok && admin ? admin : null;
  }
}
