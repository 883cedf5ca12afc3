/**
 * Plain text of mdast nodes, for a terminal: inline code keeps its backticks so a command still reads
 * as one, and a link shows its target after its text.
 */
export interface MarkdownNode {
  readonly type: string;
  readonly value?: string;
  readonly url?: string;
  readonly alt?: string | null;
  readonly children?: readonly MarkdownNode[];
}

export function inlineText(node: MarkdownNode): string {
  switch (node.type) {
    case 'text':
    case 'html':
      return node.value ?? '';
    case 'inlineCode':
      return `\`${node.value ?? ''}\``;
    case 'break':
      return '\n';
    case 'image':
      return node.alt ?? '';
    case 'link': {
      const text = childrenText(node);
      return node.url && node.url !== text ? `${text} (${node.url})` : text;
    }
    default:
      return childrenText(node);
  }
}

function childrenText(node: MarkdownNode): string {
  return (node.children ?? []).map(inlineText).join('');
}

/** A block's text: paragraphs of a list item or a quote joined by a space. */
export function blockText(node: MarkdownNode): string {
  if (node.type === 'paragraph' || node.type === 'heading') return inlineText(node).trim();
  return (node.children ?? [])
    .map(blockText)
    .filter((text) => text.length > 0)
    .join(' ');
}
