import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { Admin } from '../auth/admin.entity';
import { Chat } from '../chats/chat.entity';

export type SenderType = 'user' | 'admin';

@Entity({ name: 'support_messages' })
@Index('idx_support_messages_chat_created', ['chatId', 'createdAt', 'id'])
@Index('uq_support_messages_chat_client', ['chatId', 'clientId'], { unique: true, where: 'client_id IS NOT NULL' })
export class Message {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'chat_id', type: 'uuid' })
  chatId: string;

  @ManyToOne(() => Chat, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'chat_id', foreignKeyConstraintName: 'fk_support_messages_chat' })
  chat: Chat;

  @Column({ type: 'text' })
  content: string;

  @Column({ name: 'sender_type', type: 'varchar', length: 8 })
  senderType: SenderType;

  /** The agent who wrote it; null for the user's own messages. */
  @Column({ name: 'admin_id', type: 'uuid', nullable: true })
  adminId: string | null;

  @ManyToOne(() => Admin, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'admin_id', foreignKeyConstraintName: 'fk_support_messages_admin' })
  admin: Admin | null;

  @Column({ name: 'read_at', type: 'timestamptz', precision: 3, nullable: true })
  readAt: Date | null;

  /** The sender's idempotency key: a resend with the same key returns the stored message. */
  @Column({ name: 'client_id', type: 'varchar', length: 64, nullable: true })
  clientId: string | null;

  /** The unread-reply email that covered this message, once one was claimed for it. */
  @Column({ name: 'notification_id', type: 'uuid', nullable: true })
  notificationId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
