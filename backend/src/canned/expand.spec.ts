import { expandCanned } from './expand';

describe('canned reply variables', () => {
  const context = { user: { name: 'Ana Lima', email: 'ana@example.com' }, agent: { name: 'Ben' } };

  it('fills the known variables, with or without spaces inside the braces', () => {
    expect(expandCanned('Hi {{user.name}} ({{ user.email }}), {{agent.name}} here.', context)).toEqual({
      content: 'Hi Ana Lima (ana@example.com), Ben here.',
      unfilled: [],
    });
  });

  it('leaves unknown variables visible, never blank, and names each once', () => {
    expect(expandCanned('Order {{order.id}} for {{user.name}}: {{order.id}} {{}}', context)).toEqual({
      content: 'Order {{order.id}} for Ana Lima: {{order.id}} {{}}',
      unfilled: ['{{order.id}}', '{{}}'],
    });
  });

  it('leaves a known variable visible when its value is missing', () => {
    expect(expandCanned('Hi {{user.name}}', { ...context, user: { name: '  ', email: null } })).toEqual({
      content: 'Hi {{user.name}}',
      unfilled: ['{{user.name}}'],
    });
  });

  it('takes values literally: a name with $& or braces is not a pattern', () => {
    expect(expandCanned('Hi {{user.name}}', { ...context, user: { name: '$& {{agent.name}}', email: null } }).content).toBe(
      'Hi $& {{agent.name}}',
    );
  });

  it('does not take inherited names for variables', () => {
    expect(expandCanned('{{constructor}} {{toString}}', context).unfilled).toEqual(['{{constructor}}', '{{toString}}']);
  });
});
