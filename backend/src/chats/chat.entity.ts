import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  OneToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { User } from '../users/user.entity';

/** The one conversation between a user and the support team. */
@Entity({ name: 'support_chats' })
export class Chat {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('uq_support_chats_user_id', { unique: true })
  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @OneToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_support_chats_user' })
  user: User;

  /** Strictly increasing per chat; it also stamps each new message (see MessagesService). */
  @Index('idx_support_chats_last_message_at')
  @Column({ name: 'last_message_at', type: 'timestamptz', precision: 3, nullable: true })
  lastMessageAt: Date | null;

  @Column({ name: 'admin_viewed_at', type: 'timestamptz', precision: 3, nullable: true })
  adminViewedAt: Date | null;

  @Index('idx_support_chats_archived_at')
  @Column({ name: 'archived_at', type: 'timestamptz', precision: 3, nullable: true })
  archivedAt: Date | null;

  /** Kept beside the chat so the agents' list never counts a long history. */
  @Column({ name: 'message_count', type: 'integer', default: 0 })
  messageCount: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
