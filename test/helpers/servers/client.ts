// Clients of the real servers over raw TCP: each goes through its protocol's handshake
// (a login, a PING, HTTP requests) so the server has configured the accepted socket,
// then stays open and idle until reset.
import { connect } from 'node:net'

/** An accepted connection the test holds open, idle after its handshake. */
export interface Client {
  /** The client's own port: the remote port of the server's accepted socket. */
  localPort: number
  /** Resets the connection (RST): neither side is left in TIME_WAIT on the server's port. */
  close(): void
}

/** One step of a handshake: what the client sends, and when the reply to it is complete. */
export interface Step {
  send: Buffer | string
  /** Throws when the reply is a refusal. */
  until: (reply: Buffer) => boolean
}

/**
 * A raw TCP client: connects, then for each step writes `send` and waits until
 * `until` accepts the reply so far; resolves after the last step, rejecting when the
 * server closes or a reply takes longer than `timeoutMs`.
 */
export function rawClient(port: number, steps: readonly Step[], timeoutMs = 5000): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port })
    let step = 0
    let reply = Buffer.alloc(0)
    const got = () => JSON.stringify(reply.toString('latin1'))
    let timer: NodeJS.Timeout | undefined
    const fail = (e: Error) => {
      clearTimeout(timer)
      socket.destroy()
      reject(e)
    }
    const send = () => {
      reply = Buffer.alloc(0)
      clearTimeout(timer)
      timer = setTimeout(() => fail(new Error(`step ${step + 1}: no reply within ${timeoutMs} ms; got ${got()}`)), timeoutMs)
      socket.write((steps[step] as Step).send)
    }
    socket.once('error', fail)
    socket.once('close', () => fail(new Error(`step ${step + 1}: closed by the server; got ${got()}`)))
    const done = () => {
      clearTimeout(timer)
      socket.removeAllListeners('close')
      socket.removeAllListeners('error')
      socket.on('error', () => {})
      resolve({ localPort: socket.localPort ?? 0, close: () => socket.resetAndDestroy() })
    }
    // No steps: connected is enough (the kernel completed the handshake; the server may not have accepted yet).
    socket.once('connect', () => (steps.length === 0 ? done() : send()))
    socket.on('data', (d: Buffer) => {
      reply = Buffer.concat([reply, d])
      let complete: boolean
      try {
        complete = step < steps.length && (steps[step] as Step).until(reply)
      } catch (e) {
        return fail(e as Error)
      }
      if (!complete) return
      if (++step < steps.length) send()
      else done()
    })
  })
}
