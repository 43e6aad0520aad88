import { Injectable } from '@nestjs/common';

/** The person an export or an erase is about, as the server knows them. */
export interface DataSubject {
  userId: string;
  /** The user token's `sub`. */
  externalId: string;
  email: string;
  chatId: string | null;
}

/**
 * One feature's share of what the product holds about a user. Features register their part
 * instead of the privacy feature reaching into every table, so a new feature that stores
 * something about a person also says how to export and erase it.
 */
export interface UserDataPart {
  /** Its key in the export document. */
  name: string;
  /** Its records for the export, yielded one by one so a long history never sits in memory. */
  export?(subject: DataSubject): AsyncIterable<unknown>;
  /**
   * Removes its records. It must be safe to run again after a crash halfway: an erase is
   * finished by repeating it, and the user row (how the subject is found) goes last.
   * Retention runs it while it holds the chat's row lock, so it must not write to that row.
   */
  erase?(subject: DataSubject): Promise<void>;
}

@Injectable()
export class UserDataRegistry {
  private readonly parts: UserDataPart[] = [];

  register(part: UserDataPart): void {
    if (this.parts.some((p) => p.name === part.name)) throw new Error(`user data part "${part.name}" registered twice`);
    this.parts.push(part);
  }

  list(): readonly UserDataPart[] {
    return this.parts;
  }
}
