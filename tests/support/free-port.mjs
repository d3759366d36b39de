// A loopback port the kernel had free at the time of asking, for a tool that must be given a
// number (next start takes 0 as 3000; wrangler dev and redis-server need one too).
import net from 'node:net'

/** @returns {Promise<number>} */
export function freePort () {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}
