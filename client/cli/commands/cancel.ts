/** `baton cancel <id>`: requests cancellation; the run cancels its in-flight model and tool calls. */
import { connect, type GlobalFlags } from '../context';

export async function cancelCommand(id: string, globals: GlobalFlags): Promise<number> {
  const { client } = await connect(globals);
  await client.workflow.getHandle(id).cancel();
  console.log(`cancellation requested for ${id}`);
  return 0;
}
